/* app.js: the boxoffice customer page. Plain JavaScript, no framework.
 *
 * Hash routes: #/ (home), #/film/<id>, #/screening/<id>, #/order/<id>, #/me.
 * Every API call goes through api() (spec 2 envelope; errors become ApiError
 * with the slug, shown in words from the string table); the WebSocket client
 * (spec 6) keeps one connection, re-authenticates and re-subscribes after a
 * reconnect, applies seat deltas by version and re-subscribes on a gap. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- i18n */
  var STR = window.BO_STRINGS;
  var lang = localStorage.getItem("bo.lang");
  if (lang !== "en" && lang !== "zh")
    lang = /^zh/i.test(navigator.language || "") ? "zh" : "en";

  function t(key, vars) {
    var s = STR[lang][key];
    if (s === undefined) s = STR.en[key];
    if (s === undefined) s = key;
    if (vars)
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        return vars[k] === undefined ? m : String(vars[k]);
      });
    return s;
  }
  function ticketName(type) {
    var k = "ticket." + type;
    return STR[lang][k] || STR.en[k] || type;
  }

  /* ------------------------------------------------------------- helpers */
  function $(id) { return document.getElementById(id); }
  /* h("div", {class: "x", onclick: fn}, child, "text", [children]) */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  function sv(tag, attrs) {
    var el = document.createElementNS(SVGNS, tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === "on" && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    });
  }
  function append(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function now() { return Math.floor(Date.now() / 1000); }

  var currency = "CNY";
  function money(minor) {
    try {
      return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US",
        { style: "currency", currency: currency, currencyDisplay: "narrowSymbol" }).format(minor / 100);
    } catch (e) {
      return currency + " " + (minor / 100).toFixed(2);
    }
  }
  function moneySpoken(minor) {
    var n = minor % 100 === 0 ? String(minor / 100) : (minor / 100).toFixed(2);
    return currency === "CNY" ? t("money.spoken", { n: n }) : n + " " + currency;
  }
  function locale() { return lang === "zh" ? "zh-CN" : "en-GB"; }
  function fmtTime(ts) {
    return new Date(ts * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  }
  function fmtDate(ts) {
    return new Date(ts * 1000).toLocaleDateString(locale(), { weekday: "short", month: "short", day: "numeric" });
  }
  function fmtDateTime(ts) { return t("time.at", { date: fmtDate(ts), time: fmtTime(ts) }); }
  function stars(avg) {
    var n = Math.round(avg), s = "";
    for (var i = 1; i <= 5; i++) s += i <= n ? "★" : "☆";
    return h("span", { class: "stars", role: "img", "aria-label": t("rating.label", { avg: avg }) }, s);
  }

  /* ------------------------------------------------- spinner and toasts */
  var pending = 0, spinTimer = null;
  function spin(delta) {
    pending += delta;
    if (pending > 0 && !spinTimer && $("spinner").hidden) {
      spinTimer = setTimeout(function () { spinTimer = null; if (pending > 0) $("spinner").hidden = false; }, 150);
    }
    if (pending <= 0) {
      pending = 0;
      if (spinTimer) { clearTimeout(spinTimer); spinTimer = null; }
      $("spinner").hidden = true;
    }
    document.body.setAttribute("aria-busy", pending > 0 ? "true" : "false");
  }
  var toastTimer = null;
  function toast(msg, ok) {
    var el = $("toast");
    el.textContent = msg;
    el.className = "toast" + (ok ? " ok" : "");
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { el.hidden = true; }, 6000);
  }

  /* ------------------------------------------------------------------ api */
  var token = localStorage.getItem("bo.token") || "";
  var me = null; /* userinfo once known */

  function ApiError(status, slug, data, retryAfter) {
    this.status = status;
    this.slug = slug;
    this.data = data || {};
    this.retryAfter = retryAfter;
  }
  function errText(e) {
    if (!(e instanceof ApiError)) return t("err.unknown", { slug: String(e && e.message || e) });
    var d = e.data || {}, key = "err." + e.slug;
    if (e.slug === "seat_taken" && !(d.conflicts || []).length) key = "err.seat_taken_none";
    if (!STR.en[key]) return t("err.unknown", { slug: e.slug });
    var field = d.field ? (STR[lang]["field." + d.field] || d.field) : "";
    var reason = d.reason ? (STR[lang]["reason." + d.reason] || d.reason) : "";
    return t(key, {
      field: field, reason: reason, seats: (d.conflicts || []).join(", "),
      s: e.retryAfter || 60, slug: e.slug
    });
  }
  async function api(path, body) {
    spin(1);
    try {
      var headers = { "Content-Type": "application/json" };
      if (token) headers.Authorization = "Bearer " + token;
      var res;
      try {
        res = await fetch(path, { method: "POST", headers: headers, body: JSON.stringify(body || {}) });
      } catch (e) {
        throw new ApiError(0, "network");
      }
      var j = null;
      try { j = await res.json(); } catch (e) { j = null; }
      if (res.ok && j && j.code === 200) return j.data || {};
      var slug = j && j.error ? j.error : res.status >= 500 ? "unavailable" : "bad_request";
      var err = new ApiError(res.status, slug, j && j.data, res.headers.get("Retry-After"));
      if (token && (slug === "token_expired" || slug === "unauthorized") &&
          path !== "/user/login") {
        setToken("");
      }
      throw err;
    } finally {
      spin(-1);
    }
  }

  function setToken(tok) {
    token = tok || "";
    me = null;
    if (token) localStorage.setItem("bo.token", token);
    else localStorage.removeItem("bo.token");
    renderNav();
    wsReauth();
  }
  async function loadMe() {
    if (!token) { me = null; return null; }
    try { me = await api("/user/userinfo"); } catch (e) { me = null; }
    renderNav();
    return me;
  }

  /* ------------------------------------------------------------ websocket */
  var ws = { sock: null, open: false, backoff: 500, subs: new Map(), orderFns: new Set(), orderLog: [] };

  function wsSend(o) {
    if (ws.open && ws.sock) ws.sock.send(JSON.stringify(o));
  }
  function wsConnect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    var sock;
    try { sock = new WebSocket(url, "boxoffice.v1"); } catch (e) { wsRetry(); return; }
    ws.sock = sock;
    sock.onopen = function () {
      if (ws.sock !== sock) return;
      ws.open = true;
      ws.backoff = 500;
      setLive(true);
      if (token) wsSend({ op: "auth", token: token });
      ws.subs.forEach(function (sub, id) { sub.version = -1; wsSend({ op: "subscribe", screeningId: id }); });
    };
    sock.onmessage = function (ev) {
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      wsHandle(m);
    };
    sock.onclose = function () {
      if (ws.sock !== sock) return;
      ws.open = false;
      ws.sock = null;
      setLive(false);
      wsRetry();
    };
    sock.onerror = function () {};
  }
  function wsRetry() {
    setTimeout(wsConnect, ws.backoff);
    ws.backoff = Math.min(ws.backoff * 2, 10000);
  }
  function wsReauth() {
    /* A new identity: a fresh connection (no way to drop auth on one). */
    if (ws.sock) {
      var s = ws.sock;
      ws.sock = null;
      ws.open = false;
      try { s.close(); } catch (e) { /* closing anyway */ }
      wsConnect();
    }
  }
  function wsHandle(m) {
    var sub;
    switch (m.type) {
      case "seats.snapshot":
        sub = ws.subs.get(m.screeningId);
        if (!sub) return;
        sub.version = m.version;
        sub.onSnapshot(m);
        break;
      case "seats.delta":
        sub = ws.subs.get(m.screeningId);
        if (!sub || sub.version < 0) return;
        if (m.version <= sub.version) return; /* already have it */
        if (m.from > sub.version) { /* a gap: start again from a snapshot */
          sub.version = -1;
          wsSend({ op: "unsubscribe", screeningId: m.screeningId });
          wsSend({ op: "subscribe", screeningId: m.screeningId });
          return;
        }
        sub.version = m.version;
        sub.onDelta(m);
        break;
      case "order.update":
        ws.orderLog.push({ orderId: m.orderId, status: m.status });
        if (ws.orderLog.length > 50) ws.orderLog.shift();
        ws.orderFns.forEach(function (fn) { fn(m); });
        break;
      case "announcement":
        if (m.advert) showAnnouncement(m.advert, true);
        break;
      default:
        break;
    }
  }
  /* Subscribe to a screening's seats; returns the unsubscribe function. */
  function wsSubscribe(id, onSnapshot, onDelta) {
    ws.subs.set(id, { version: -1, onSnapshot: onSnapshot, onDelta: onDelta });
    wsSend({ op: "subscribe", screeningId: id });
    return function () {
      ws.subs.delete(id);
      wsSend({ op: "unsubscribe", screeningId: id });
    };
  }
  function setLive(on) {
    $("live").className = "live" + (on ? " on" : "");
    $("live-text").textContent = on ? t("live.on") : t("live.off");
  }

  /* --------------------------------------------------------- announcements */
  var announcements = [];
  function showAnnouncement(ad, fresh) {
    if (announcements.some(function (a) { return a.id === ad.id; })) return;
    announcements.unshift(ad);
    announcements = announcements.slice(0, 3);
    renderBanner(fresh ? ad.id : null);
  }
  function renderBanner(freshId) {
    var b = $("banner");
    clear(b);
    b.hidden = announcements.length === 0;
    announcements.forEach(function (a) {
      b.appendChild(h("div", { class: "item" + (a.id === freshId ? " new" : ""), "data-advert": a.id },
        h("strong", null, a.title), a.content));
    });
  }

  /* ------------------------------------------------------------- the nav */
  function renderNav() {
    $("nav").setAttribute("aria-label", t("nav.main"));
    $("nav-home").textContent = t("nav.home");
    $("nav-me").textContent = t("nav.me");
    $("nav-login").textContent = me ? me.name : t("nav.login");
    $("nav-login").hidden = !!token && !me ? true : false;
    if (token && me) $("nav-login").hidden = true;
    $("lang-switch").textContent = t("lang.switch");
    $("lang-switch").setAttribute("aria-label", t("lang.switchLabel"));
    $("lang-switch").setAttribute("lang", lang === "zh" ? "en" : "zh");
    $("brand-text").textContent = t("brand");
    $("footer").textContent = t("footer");
    $("skip").textContent = t("back");
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("brand");
    setLive(ws.open);
    var r = (location.hash || "#/").split("/")[1] || "";
    $("nav-home").setAttribute("aria-current", r === "" || r === "film" ? "page" : "false");
    $("nav-me").setAttribute("aria-current", r === "me" ? "page" : "false");
  }

  /* --------------------------------------------------------------- router */
  var cleanups = [];
  function onLeave(fn) { cleanups.push(fn); }
  var view = $("view");
  var routeSeq = 0;

  async function route() {
    cleanups.splice(0).forEach(function (fn) { try { fn(); } catch (e) { /* ignore */ } });
    var seq = ++routeSeq;
    var parts = (location.hash || "#/").replace(/^#\/?/, "").split("/");
    renderNav();
    clear(view).appendChild(h("p", { class: "empty" }, t("loading")));
    try {
      switch (parts[0]) {
        case "film": await viewFilm(Number(parts[1]), seq); break;
        case "screening": await viewScreening(Number(parts[1]), seq); break;
        case "order": await viewOrder(Number(parts[1]), seq); break;
        case "me": await viewMe(seq); break;
        default: await viewHome(seq); break;
      }
    } catch (e) {
      if (seq !== routeSeq) return;
      clear(view).appendChild(h("div", { class: "notice bad", role: "alert" }, errText(e), " ",
        h("button", { class: "btn ghost", type: "button", onclick: route }, t("retry"))));
    }
  }
  function stale(seq) { return seq !== routeSeq; }
  function page(seq, nodes) {
    if (stale(seq)) return false;
    clear(view);
    append(view, nodes);
    return true;
  }

  /* ---------------------------------------------------------------- home */
  async function viewHome(seq) {
    var films = await api("/film/sale/list");
    var grid = h("div", { class: "grid", id: "films" });
    (films.list || []).forEach(function (f) {
      var rating = h("span", { class: "rating" });
      grid.appendChild(h("a", { class: "film-card", href: "#/film/" + f.id, "data-film": f.id },
        h("img", { src: f.posterUrl || "", alt: "", loading: "lazy" }),
        h("div", { class: "body" },
          h("div", { class: "name" }, f.name),
          h("div", { class: "meta" }, [f.genre, t("film.minutes", { n: f.length })].filter(Boolean).join(" · ")),
          h("div", { class: "meta" }, rating))));
      api("/comment/film/list", { fid: f.id, page: 1, pageSize: 1 }).then(function (c) {
        if (c.total > 0 && c.avgRating > 0) append(rating, [stars(c.avgRating), " " + c.avgRating.toFixed(1)]);
        else rating.textContent = t("film.noRating");
      }, function () { /* a missing rating is no error worth a toast */ });
    });
    var ads = h("div", { class: "ads", id: "adverts" });
    var adSection = h("section", { "aria-labelledby": "ads-h", hidden: true }, h("h2", { id: "ads-h" }, t("home.adverts")), ads);
    if (!page(seq, [
      h("h1", null, t("home.title")),
      (films.list || []).length ? grid : h("p", { class: "empty" }, t("home.empty")),
      adSection
    ])) return;
    api("/advert/commer/list").then(function (d) {
      (d.list || []).forEach(function (a) {
        var body = [h("h3", null, a.title), h("p", null, a.content)];
        ads.appendChild(a.filmId ? h("a", { class: "card ad", href: "#/film/" + a.filmId, style: "text-decoration:none;color:inherit;display:block" }, body)
          : h("div", { class: "card ad" }, body));
      });
      adSection.hidden = !(d.list || []).length;
    }, function () {});
  }

  /* ---------------------------------------------------------------- film */
  function dayStart(ts) {
    var d = new Date(ts * 1000);
    d.setHours(0, 0, 0, 0);
    return Math.floor(d.getTime() / 1000);
  }
  async function viewFilm(id, seq) {
    var film = await api("/film/detail", { id: id });
    var today = dayStart(now());
    var facts = h("dl", { class: "facts" },
      h("dt", null, t("film.genre")), h("dd", null, film.genre || "–"),
      h("dt", null, t("film.length")), h("dd", null, t("film.minutes", { n: film.length })),
      h("dt", null, t("film.director")), h("dd", null, film.director || "–"),
      h("dt", null, t("film.screenwriter")), h("dd", null, film.screenwriter || "–"));
    var ratingLine = h("p", { class: "muted", id: "film-rating" });
    var head = h("section", { class: "film-head" },
      h("img", { class: "poster", src: film.posterUrl || "", alt: "" }),
      h("div", { class: "info" }, h("h1", null, film.name), ratingLine, facts),
      h("p", { class: "desc" }, film.desc));
    var sched = h("section", { "aria-labelledby": "sched-h" }, h("h2", { id: "sched-h" }, t("film.screenings")));
    var comments = h("section", { "aria-labelledby": "com-h", id: "comments" });
    if (!page(seq, [head, sched, comments])) return;

    if (film.isSelectSeat) {
      var sc = await api("/screening/list", { filmId: id, from: now(), to: today + 7 * 86400, page: 1, pageSize: 100 });
      if (stale(seq)) return;
      renderDays(sched, sc.list || [], today);
    } else {
      renderGeneral(sched, film);
    }
    loadComments(comments, film, ratingLine, seq);
  }

  function renderDays(sched, list, today) {
    var tabs = h("div", { class: "tabs", role: "tablist", "aria-label": t("film.screenings") });
    var panel = h("div", { role: "tabpanel", id: "day-panel" });
    var btns = [];
    var first = -1;
    for (var d = 0; d < 7; d++) {
      var ds = today + d * 86400;
      var n = list.filter(function (s) { return dayStart(s.startAt) === dayStart(ds + 43200); }).length;
      if (n && first < 0) first = d;
    }
    if (first < 0) first = 0;
    function select(d) {
      btns.forEach(function (b, i) {
        b.setAttribute("aria-selected", i === d ? "true" : "false");
        b.tabIndex = i === d ? 0 : -1;
      });
      var ds = dayStart(today + d * 86400 + 43200);
      var day = list.filter(function (s) { return dayStart(s.startAt) === ds; });
      clear(panel);
      if (!day.length) { panel.appendChild(h("p", { class: "muted" }, t("film.noScreenings"))); return; }
      var times = h("div", { class: "times" });
      day.forEach(function (s) {
        var cancelled = s.status === "cancelled";
        var soldOut = !cancelled && s.seatsFree <= 0;
        var few = !cancelled && !soldOut && s.seatsTotal > 0 && s.seatsFree < s.seatsTotal * 0.1;
        var note = cancelled ? t("film.cancelled") : soldOut ? t("film.soldOut") : few ? t("film.fewLeft") : s.hallName;
        var attrs = { class: "time" + (few ? " few" : ""), "data-screening": s.id };
        if (cancelled || soldOut || s.startAt <= now()) attrs["aria-disabled"] = "true";
        else attrs.href = "#/screening/" + s.id;
        times.appendChild(h("a", attrs, fmtTime(s.startAt), h("small", null, note)));
      });
      panel.appendChild(times);
    }
    for (var i = 0; i < 7; i++) {
      var ts = today + i * 86400 + 43200;
      var label = i === 0 ? t("day.today") : i === 1 ? t("day.tomorrow") :
        new Date(ts * 1000).toLocaleDateString(locale(), { weekday: "short" });
      var b = h("button", { class: "tab", type: "button", role: "tab", "aria-controls": "day-panel" },
        label, h("small", null, new Date(ts * 1000).toLocaleDateString(locale(), { month: "numeric", day: "numeric" })));
      (function (d) {
        b.addEventListener("click", function () { select(d); });
        b.addEventListener("keydown", function (ev) {
          var k = ev.key === "ArrowRight" ? 1 : ev.key === "ArrowLeft" ? -1 : 0;
          if (!k) return;
          ev.preventDefault();
          var n = (d + k + 7) % 7;
          select(n);
          btns[n].focus();
        });
      })(i);
      btns.push(b);
      tabs.appendChild(b);
    }
    append(sched, [tabs, panel]);
    select(first);
  }

  function renderGeneral(sched, film) {
    var qty = h("select", { id: "ga-qty", "aria-label": t("ga.quantity") });
    for (var i = 1; i <= 10; i++) qty.appendChild(h("option", { value: i }, String(i)));
    var btn = h("button", { class: "btn", type: "button" }, t("ga.buy"));
    btn.addEventListener("click", async function () {
      if (!token) { openAuth("login"); return; }
      btn.disabled = true;
      try {
        var o = await api("/order/create", { fid: film.id, quantity: Number(qty.value), idempotencyKey: "web-ga-" + film.id + "-" + Date.now() });
        location.hash = "#/order/" + o.id;
      } catch (e) { toast(errText(e)); } finally { btn.disabled = false; }
    });
    append(sched, [h("p", null, t("film.generalAdmission", { n: film.stock })), film.stock > 0 ?
      h("div", { class: "row", style: "display:flex;gap:8px;align-items:end;max-width:320px" },
        h("label", { class: "field" }, t("ga.quantity"), qty), btn) : null]);
  }

  async function loadComments(sec, film, ratingLine, seq) {
    var c = await api("/comment/film/list", { fid: film.id, page: 1, pageSize: 20 });
    if (stale(seq)) return;
    clear(sec);
    var n = c.total || 0;
    ratingLine.textContent = "";
    if (n && c.avgRating > 0) append(ratingLine, [stars(c.avgRating), " " + t(n === 1 ? "comments.avgOne" : "comments.avg", { avg: c.avgRating.toFixed(1), n: n })]);
    else ratingLine.textContent = t("film.noRating");
    sec.appendChild(h("h2", { id: "com-h" }, t("comments.title")));
    if (n && c.avgRating > 0) sec.appendChild(h("p", { class: "muted", id: "avg-rating" }, t(n === 1 ? "comments.avgOne" : "comments.avg", { avg: c.avgRating.toFixed(1), n: n })));
    if (!(c.list || []).length) sec.appendChild(h("p", { class: "muted" }, t("comments.none")));
    (c.list || []).forEach(function (cm) {
      sec.appendChild(h("article", { class: "comment" },
        h("h3", null, cm.title),
        h("div", { class: "muted" }, cm.rating ? stars(cm.rating) : null, " ",
          cm.isAnonymous || !cm.author ? t("comments.anonymous") : cm.author, " · ", fmtDate(cm.createTime)),
        h("p", null, cm.content)));
    });
    sec.appendChild(h("h2", null, t("comments.write")));
    if (!token) {
      sec.appendChild(h("p", null, h("button", { class: "btn secondary", type: "button", onclick: function () { openAuth("login"); } },
        t("comments.loginToWrite"))));
      return;
    }
    sec.appendChild(commentForm(film, function () { loadComments(sec, film, ratingLine, seq); }));
  }

  function commentForm(film, done) {
    var rating = 0;
    var fs = h("fieldset", { class: "rating-input" }, h("legend", null, t("comments.rating")));
    var labels = [];
    for (var i = 1; i <= 5; i++) {
      (function (n) {
        var inp = h("input", { type: "radio", name: "rating", id: "rate-" + n, value: n });
        var lab = h("label", { for: "rate-" + n, title: t("comments.stars", { n: n }) }, "★", h("span", { class: "sr" }, t("comments.stars", { n: n })));
        inp.addEventListener("change", function () {
          rating = n;
          labels.forEach(function (l, j) { l.classList.toggle("on", j < n); });
        });
        labels.push(lab);
        append(fs, [inp, lab]);
      })(i);
    }
    var title = h("input", { type: "text", name: "title", maxlength: 100, required: true });
    var content = h("textarea", { name: "content", maxlength: 2000, required: true });
    var anon = h("input", { type: "checkbox", name: "anon" });
    var errEl = h("div", { class: "form-error", role: "alert" });
    var form = h("form", { class: "stack card", id: "comment-form" }, fs,
      h("label", { class: "field" }, t("comments.titleField"), title),
      h("label", { class: "field" }, t("comments.content"), content),
      h("label", { class: "check" }, anon, t("comments.anon")),
      errEl, h("button", { class: "btn", type: "submit" }, t("comments.post")));
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      errEl.textContent = "";
      var body = { fid: film.id, title: title.value.trim(), content: content.value.trim(), isAnonymous: anon.checked ? 1 : 0 };
      if (rating) body.rating = rating;
      try {
        await api("/comment/create", body);
        toast(t("comments.posted"), true);
        done();
      } catch (e) { errEl.textContent = errText(e); }
    });
    return form;
  }

  /* ------------------------------------------------------------ seat map */
  var CELL = 24, SEAT = 20;
  function rowLetter(r) { return String.fromCharCode(65 + r); }

  function price(sp, cat, type) {
    var c = cat === "H" ? "S" : cat;
    var p = sp.prices[c];
    if (p === undefined) p = sp.filmAmount;
    var pct = type && type !== "adult" ? sp.discounts[type] || 0 : 0;
    return Math.floor((p * (100 - pct) + 50) / 100);
  }
  function holdKey(id) { return "bo.hold." + id; }

  async function viewScreening(id, seq) {
    var sc = await api("/screening/detail", { id: id });
    var film = await api("/film/detail", { id: sc.filmId });
    var seats = await api("/screening/seats", { id: id });
    if (stale(seq)) return;
    var sp = {
      id: id, sc: sc, film: film, layout: seats.layout, state: seats.state.map(function (r) { return r.split(""); }),
      version: seats.version, prices: sc.prices || {}, discounts: sc.discounts || {}, filmAmount: film.amount,
      sel: [], hold: null, types: {}, cursor: null, els: {}, zoom: 0
    };
    try {
      var saved = JSON.parse(sessionStorage.getItem(holdKey(id)) || "null");
      if (saved && saved.expireAt > now()) { sp.hold = saved; sp.sel = saved.seats.slice(); sp.types = saved.types || {}; }
    } catch (e) { /* no saved hold */ }

    var closed = sc.status === "cancelled" || sc.startAt <= now();
    var title = h("div", null,
      h("p", { class: "muted", style: "margin:0" }, h("a", { href: "#/film/" + film.id }, "← " + film.name)),
      h("h1", null, film.name),
      h("p", { class: "muted", style: "margin-top:-8px" }, fmtDateTime(sc.startAt), " · ", sc.hallName));
    var mapScroll = h("div", { class: "map-scroll" });
    var zoomOut = h("button", { type: "button", "aria-label": t("seat.zoomOut") }, "−");
    var zoomIn = h("button", { type: "button", "aria-label": t("seat.zoomIn") }, "+");
    var liveNote = h("span", { class: "muted", id: "seat-live" });
    var mapWrap = h("div", { class: "map-wrap" },
      h("div", { class: "map-tools" }, h("span", { class: "muted" }, t("seat.help")),
        h("span", { class: "zoom" }, zoomOut, " ", zoomIn)), mapScroll, legend(), liveNote);
    var panel = h("aside", { class: "card panel", id: "seat-panel", "aria-live": "polite" });
    if (!page(seq, [title, closed ? h("p", { class: "notice warn" }, t("seat.started")) : null,
      h("div", { class: "seat-layout" }, mapWrap, panel)])) return;

    sp.closed = closed;
    sp.panel = panel;
    sp.svgHolder = mapScroll;
    drawMap(sp);
    renderPanel(sp);
    function setZoom(z) {
      sp.zoom = Math.max(0, Math.min(3, z));
      applyZoom(sp);
    }
    zoomIn.addEventListener("click", function () { setZoom(sp.zoom + 1); });
    zoomOut.addEventListener("click", function () { setZoom(sp.zoom - 1); });

    function liveText() {
      liveNote.textContent = ws.open ? "● " + t("seat.live") + " · v" + sp.version : "○ " + t("live.off");
      liveNote.className = ws.open ? "on" : "muted";
    }
    liveText();
    var unsub = wsSubscribe(id, function (snap) {
      sp.layout = snap.layout;
      var old = sp.state;
      sp.state = snap.state.map(function (r) { return r.split(""); });
      sp.version = snap.version;
      if (!old || old.length !== sp.state.length || snap.layout.join() !== seats.layout.join()) drawMap(sp);
      else refreshAll(sp, old);
      holdGone(sp);
      liveText();
    }, function (delta) {
      (delta.changes || []).forEach(function (ch) { setSeatState(sp, ch.seat, ch.state, true); });
      holdGone(sp);
      sp.version = delta.version;
      liveText();
      renderPanel(sp);
    });
    onLeave(unsub);
    /* Without a WebSocket the map still follows, more slowly. */
    var poll = setInterval(async function () {
      liveText();
      if (ws.open && ws.subs.get(id) && ws.subs.get(id).version >= 0) return;
      try {
        var s = await api("/screening/seats", { id: id });
        if (s.version !== sp.version) {
          var old = sp.state;
          sp.state = s.state.map(function (r) { return r.split(""); });
          sp.version = s.version;
          refreshAll(sp, old);
        }
      } catch (e) { /* try again on the next tick */ }
    }, 3000);
    var tick = setInterval(function () { holdTick(sp); }, 1000);
    onLeave(function () { clearInterval(poll); clearInterval(tick); });
  }

  function legend() {
    function sw(cls, glyph) {
      return sv("svg", { viewBox: "0 0 20 20", "aria-hidden": "true", class: "seatmap" },
        sv("g", { class: "seat " + cls }, sv("rect", { class: "body", x: 1.5, y: 1.5, width: 17, height: 17, rx: 4 }),
          glyph ? sv("text", { x: 10, y: 10.5 }, glyph) : null));
    }
    var items = [["st-f t-S", "", "free"], ["st-mine", "✓", "mine"], ["st-h", "–", "held"], ["st-s", "×", "sold"],
      ["st-f t-V", "V", "vip"], ["st-f t-W", "♿", "wheel"], ["st-f t-C", "C", "comp"], ["st-b", "H", "house"], ["st-x", "", "blocked"]];
    return h("ul", { class: "legend", "aria-label": t("seat.legend") }, items.map(function (it) {
      return h("li", null, sw(it[0], it[1]), t("seat.legend." + it[2]));
    }));
  }

  function seatInfo(sp) {
    /* positions -> seat ids, row letters, numbers */
    var out = [];
    sp.layout.forEach(function (row, r) {
      var n = 0;
      for (var c = 0; c < row.length; c++) {
        var ch = row[c];
        if (ch === ".") continue;
        n++;
        out.push({ r: r, c: c, n: n, cat: ch, id: rowLetter(r) + n });
      }
    });
    return out;
  }

  function drawMap(sp) {
    var cols = sp.layout.reduce(function (m, r) { return Math.max(m, r.length); }, 0);
    var rows = sp.layout.length;
    var padX = CELL, top = 44;
    var W = cols * CELL + 2 * padX, H = top + rows * CELL + 6;
    sp.natural = W;
    var svg = sv("svg", { class: "seatmap", viewBox: "0 0 " + W + " " + H, role: "group", id: "seatmap",
      "aria-label": t("seat.mapLabel", { hall: sp.sc.hallName }) });
    svg.appendChild(sv("path", { class: "screen", d: "M" + (padX + 10) + " 22 Q " + W / 2 + " 6 " + (W - padX - 10) + " 22 L " + (W - padX - 10) + " 26 Q " + W / 2 + " 10 " + (padX + 10) + " 26 Z", "aria-hidden": "true" }));
    svg.appendChild(sv("text", { class: "screen-text", x: W / 2, y: 38, "aria-hidden": "true" }, t("seat.screen")));
    sp.els = {};
    sp.info = seatInfo(sp);
    sp.byPos = {};
    var rowHas = {};
    sp.info.forEach(function (s) { rowHas[s.r] = true; });
    for (var r = 0; r < rows; r++) {
      if (!rowHas[r]) continue;
      var y = top + r * CELL + CELL / 2;
      svg.appendChild(sv("text", { class: "rowlabel", x: padX / 2, y: y, "aria-hidden": "true" }, rowLetter(r)));
      svg.appendChild(sv("text", { class: "rowlabel", x: W - padX / 2, y: y, "aria-hidden": "true" }, rowLetter(r)));
    }
    sp.info.forEach(function (s) {
      var x = padX + s.c * CELL + (CELL - SEAT) / 2, y = top + s.r * CELL + (CELL - SEAT) / 2;
      var g = sv("g", { class: "seat", role: "button", tabindex: -1, "data-seat": s.id },
        sv("rect", { class: "body", x: x, y: y, width: SEAT, height: SEAT, rx: 4 }),
        sv("rect", { class: "cursor", x: x - 2, y: y - 2, width: SEAT + 4, height: SEAT + 4, rx: 5 }),
        sv("text", { x: x + SEAT / 2, y: y + SEAT / 2 + 0.5 }));
      g.addEventListener("click", function () { sp.cursor = s; focusCursor(sp, false); toggleSeat(sp, s); });
      sp.els[s.id] = { g: g, s: s };
      sp.byPos[s.r + ":" + s.c] = s;
      svg.appendChild(g);
      paintSeat(sp, s, false);
    });
    svg.addEventListener("keydown", function (ev) { mapKey(sp, ev); });
    clear(sp.svgHolder).appendChild(svg);
    sp.svg = svg;
    if (!sp.cursor || !sp.els[sp.cursor.id]) {
      /* start at the middle of the best row: the first free seat nearest the centre */
      var free = sp.info.filter(function (s) { return stateOf(sp, s) === "f"; });
      var mid = cols / 2;
      free.sort(function (a, b) { return Math.abs(a.r - rows * 0.55) - Math.abs(b.r - rows * 0.55) || Math.abs(a.c - mid) - Math.abs(b.c - mid); });
      sp.cursor = free[0] || sp.info[0];
    }
    if (sp.cursor) sp.els[sp.cursor.id].g.setAttribute("tabindex", "0");
    applyZoom(sp);
  }
  function applyZoom(sp) {
    if (!sp.svg) return;
    if (sp.zoom === 0) {
      sp.svg.style.width = "100%";
      sp.svg.style.maxWidth = Math.round(sp.natural * 1.5) + "px";
    } else {
      sp.svg.style.width = Math.round(sp.natural * (0.75 + sp.zoom * 0.5)) + "px";
      sp.svg.style.maxWidth = "none";
    }
  }
  function stateOf(sp, s) { return sp.state[s.r] ? sp.state[s.r][s.c] : "x"; }
  function isMine(sp, id) { return sp.sel.indexOf(id) >= 0; }
  function paintSeat(sp, s, flash) {
    var e = sp.els[s.id];
    if (!e) return;
    var st = stateOf(sp, s), mine = isMine(sp, s.id) && (st === "f" || (sp.hold && st === "h"));
    var cls = "seat t-" + s.cat + " " + (mine ? "st-mine" : "st-" + st);
    var glyph = mine ? "✓" : st === "h" ? "–" : st === "s" ? "×" : st === "b" ? "H" : st === "x" ? "" :
      s.cat === "V" ? "V" : s.cat === "W" ? "♿" : s.cat === "C" ? "C" : "";
    e.g.setAttribute("class", cls + (flash ? " flash" : ""));
    if (flash) setTimeout(function () { e.g.classList.remove("flash"); }, 800);
    e.g.lastChild.textContent = glyph;
    var stateWord = mine ? t("seat.state.mine") : t("seat.state." + st);
    var sellable = st !== "x" && st !== "b";
    e.g.setAttribute("aria-label", t(sellable ? "seat.label" : "seat.labelNoPrice",
      { row: rowLetter(s.r), n: s.n, type: t("seat.type." + s.cat), state: stateWord, price: moneySpoken(price(sp, s.cat)) }));
    e.g.setAttribute("aria-pressed", mine ? "true" : "false");
    e.g.setAttribute("aria-disabled", !mine && st !== "f" ? "true" : "false");
    e.g.setAttribute("data-state", mine ? "mine" : st);
  }
  function refreshAll(sp, old) {
    sp.info.forEach(function (s) {
      var changed = old && old[s.r] && old[s.r][s.c] !== stateOf(sp, s);
      paintSeat(sp, s, changed);
    });
    pruneSelection(sp);
    renderPanel(sp);
  }
  function setSeatState(sp, id, st, flash) {
    var e = sp.els[id];
    if (!e) return;
    if (sp.state[e.s.r][e.s.c] === st) return;
    sp.state[e.s.r][e.s.c] = st;
    paintSeat(sp, e.s, flash);
    pruneSelection(sp);
  }
  /* A selected (not yet held) seat that someone else took leaves the selection. */
  function pruneSelection(sp) {
    if (sp.hold) return;
    var before = sp.sel.length;
    sp.sel = sp.sel.filter(function (id) { var e = sp.els[id]; return e && stateOf(sp, e.s) === "f"; });
    if (sp.sel.length !== before) sp.info.forEach(function (s) { paintSeat(sp, s, false); });
  }

  function toggleSeat(sp, s) {
    if (sp.closed) return;
    var st = stateOf(sp, s);
    if (sp.hold) { toast(t("seat.release") + ": " + sp.hold.seats.join(", ")); return; }
    var i = sp.sel.indexOf(s.id);
    if (i >= 0) sp.sel.splice(i, 1);
    else {
      if (st !== "f") return;
      if (sp.sel.length >= 10) { toast(t("seat.max")); return; }
      sp.sel.push(s.id);
    }
    paintSeat(sp, s, false);
    renderPanel(sp);
  }

  function focusCursor(sp, focus) {
    Object.keys(sp.els).forEach(function (k) { sp.els[k].g.setAttribute("tabindex", "-1"); });
    var e = sp.els[sp.cursor.id];
    e.g.setAttribute("tabindex", "0");
    if (focus) {
      e.g.focus();
      if (e.g.scrollIntoView) e.g.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }
  function mapKey(sp, ev) {
    var c = sp.cursor;
    if (!c) return;
    var dr = 0, dc = 0;
    switch (ev.key) {
      case "ArrowLeft": dc = -1; break;
      case "ArrowRight": dc = 1; break;
      case "ArrowUp": dr = -1; break;
      case "ArrowDown": dr = 1; break;
      case " ": case "Spacebar": case "Enter":
        ev.preventDefault();
        toggleSeat(sp, c);
        return;
      default: return;
    }
    ev.preventDefault();
    var next = null;
    if (dc) {
      for (var x = c.c + dc; x >= 0 && x < 60 && !next; x += dc) next = sp.byPos[c.r + ":" + x] || null;
    } else {
      for (var y = c.r + dr; y >= 0 && y < sp.layout.length && !next; y += dr) {
        var best = null;
        sp.info.forEach(function (s) {
          if (s.r === y && (!best || Math.abs(s.c - c.c) < Math.abs(best.c - c.c))) best = s;
        });
        next = best;
      }
    }
    if (next) { sp.cursor = next; focusCursor(sp, true); }
  }

  function saveHold(sp) {
    if (sp.hold) {
      sp.hold.types = sp.types;
      sessionStorage.setItem(holdKey(sp.id), JSON.stringify(sp.hold));
    } else sessionStorage.removeItem(holdKey(sp.id));
  }

  /* The server freed a seat of our hold (it expired there): the hold is gone. */
  function holdGone(sp) {
    if (!sp.hold) return;
    var freed = sp.hold.seats.some(function (id) {
      var e = sp.els[id];
      return e && (stateOf(sp, e.s) === "f" || stateOf(sp, e.s) === "b");
    });
    if (freed) expireHold(sp);
  }
  function expireHold(sp) {
    sp.hold = null;
    sp.sel = [];
    saveHold(sp);
    sp.info.forEach(function (s) { paintSeat(sp, s, false); });
    renderPanel(sp);
    sp.panel.prepend(h("p", { class: "notice warn", id: "hold-expired", role: "alert" }, t("seat.holdExpired")));
  }
  function holdTick(sp) {
    if (!sp.hold) return;
    var left = sp.hold.expireAt - now();
    var el = document.getElementById("hold-countdown");
    if (left <= 0) {
      expireHold(sp);
      return;
    }
    if (el) el.textContent = t("seat.holdLeft", { time: Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") });
  }

  async function doHold(sp, body) {
    if (!token) { openAuth("login"); toast(t("auth.needLogin")); return; }
    try {
      if (sp.hold) await releaseHold(sp, true);
      body.screeningId = sp.id;
      var r = await api("/seat/hold", body);
      sp.hold = { holdId: r.holdId, seats: r.seats, expireAt: r.expireAt };
      sp.sel = r.seats.slice();
      sp.types = {};
      r.seats.forEach(function (id) {
        var e = sp.els[id];
        if (e) sp.state[e.s.r][e.s.c] = "h";
      });
      saveHold(sp);
      sp.info.forEach(function (s) { paintSeat(sp, s, false); });
      renderPanel(sp);
    } catch (e) {
      if (e.slug === "seat_taken") {
        (e.data.conflicts || []).forEach(function (id) { setSeatState(sp, id, "h", true); });
        pruneSelection(sp);
        renderPanel(sp);
      }
      toast(errText(e));
    }
  }
  async function releaseHold(sp, quiet) {
    var hd = sp.hold;
    if (!hd) return;
    try {
      await api("/seat/release", { holdId: hd.holdId });
    } catch (e) {
      if (!quiet && e.slug !== "not_found" && e.slug !== "hold_expired") { toast(errText(e)); return; }
    }
    sp.hold = null;
    hd.seats.forEach(function (id) { setSeatState(sp, id, "f", false); });
    if (!quiet) sp.sel = [];
    saveHold(sp);
    sp.info.forEach(function (s) { paintSeat(sp, s, false); });
    if (!quiet) { renderPanel(sp); toast(t("seat.released"), true); }
  }

  function renderPanel(sp) {
    var p = sp.panel;
    if (!p) return;
    var expired = document.getElementById("hold-expired");
    clear(p);
    if (expired && !sp.hold && !sp.sel.length) p.appendChild(expired);
    if (sp.closed) { p.appendChild(h("p", null, t("seat.started"))); return; }
    /* best available */
    var count = h("select", { id: "best-count", "aria-label": t("seat.bestCount") });
    for (var i = 1; i <= 10; i++) count.appendChild(h("option", { value: i, selected: i === (sp.bestCount || 2) }, String(i)));
    count.addEventListener("change", function () { sp.bestCount = Number(count.value); });
    var bestBtn = h("button", { class: "btn secondary", type: "button", id: "best-go" }, t("seat.bestGo"));
    bestBtn.addEventListener("click", function () { doHold(sp, { count: Number(count.value) }); });
    p.appendChild(h("div", null, h("h2", { style: "margin-top:0" }, t("seat.best")),
      h("div", { class: "row" }, h("label", { class: "field", style: "flex:1" }, t("seat.bestCount"), count), bestBtn)));

    p.appendChild(h("h2", { style: "margin:4px 0 0" }, t("seat.selected")));
    if (!sp.sel.length) { p.appendChild(h("p", { class: "muted" }, t("seat.none"))); return; }
    var types = ["adult"].concat(Object.keys(sp.discounts).filter(function (k) { return k !== "adult"; }));
    var list = h("ul", { class: "sel-list", id: "sel-list" });
    var est = 0;
    sp.sel.forEach(function (id) {
      var e = sp.els[id];
      if (!e) return;
      var type = sp.types[id] || "adult";
      var pr = price(sp, e.s.cat, type);
      est += pr;
      var sel = null;
      if (sp.hold) {
        sel = h("select", { "aria-label": t("seat.ticketType") + " " + id, "data-seat": id });
        types.forEach(function (ty) {
          var pct = sp.discounts[ty] || 0;
          sel.appendChild(h("option", { value: ty, selected: ty === type }, ticketName(ty) + (pct ? " (" + t("ticket.off", { pct: pct }) + ")" : "")));
        });
        sel.addEventListener("change", function () { sp.types[id] = sel.value; saveHold(sp); renderPanel(sp); });
      } else sel = h("span", { class: "muted" }, t("seat.type." + e.s.cat));
      list.appendChild(h("li", null, h("strong", null, id), sel, h("span", null, money(pr))));
    });
    p.appendChild(list);
    p.appendChild(h("div", { class: "row" }, h("span", null, t("seat.estimated")), h("span", { class: "total", id: "est-total" }, money(est))));
    if (!sp.hold) {
      var holdBtn = h("button", { class: "btn wide", type: "button", id: "hold-btn" }, t("seat.hold"));
      holdBtn.addEventListener("click", function () { doHold(sp, { seats: sp.sel.slice() }); });
      p.appendChild(holdBtn);
      return;
    }
    var left = sp.hold.expireAt - now();
    p.appendChild(h("p", { class: "countdown", id: "hold-countdown", role: "timer" },
      t("seat.holdLeft", { time: Math.floor(Math.max(0, left) / 60) + ":" + String(Math.max(0, left) % 60).padStart(2, "0") })));
    var go = h("button", { class: "btn wide", type: "button", id: "checkout-btn" }, t("seat.checkout"));
    go.addEventListener("click", async function () {
      go.disabled = true;
      try {
        var items = sp.hold.seats.map(function (id) { return { seat: id, ticketType: sp.types[id] || "adult" }; });
        var o = await api("/order/create", { holdId: sp.hold.holdId, items: items, idempotencyKey: "web-" + sp.hold.holdId + "-" + items.map(function (i) { return i.ticketType; }).join(".") });
        sessionStorage.removeItem(holdKey(sp.id));
        location.hash = "#/order/" + o.id;
      } catch (e) {
        toast(errText(e));
        go.disabled = false;
        if (e.slug === "hold_expired") { sp.hold = null; sp.sel = []; saveHold(sp); renderPanel(sp); }
      }
    });
    var rel = h("button", { class: "btn ghost", type: "button", id: "release-btn" }, t("seat.release"));
    rel.addEventListener("click", function () { releaseHold(sp, false); });
    append(p, [go, rel]);
  }

  /* --------------------------------------------------------------- order */
  var filmCache = {}, scCache = {};
  async function filmOf(id) { return filmCache[id] || (filmCache[id] = await api("/film/detail", { id: id })); }
  async function screeningOf(id) { return scCache[id] || (scCache[id] = await api("/screening/detail", { id: id })); }

  function statusChip(o) {
    var s = o.status;
    var txt = t("order.status." + s);
    if (s === 3 && o.refundPending) txt = t("order.refundPending");
    return h("span", { class: "status s" + s, "data-status": s }, txt);
  }

  async function viewOrder(id, seq) {
    if (!token) { page(seq, h("p", { class: "notice" }, t("me.loginFirst"))); openAuth("login"); return; }
    var o = await api("/order/detail", { id: id });
    var sc = o.screeningId ? await screeningOf(o.screeningId) : null;
    var film = await filmOf(o.fid || (sc && sc.filmId));
    if (stale(seq)) return;
    var box = h("div", { id: "order", "data-order": id });
    page(seq, box);
    var payUrl = sessionStorage.getItem("bo.payurl." + id) || "";

    function render() {
      clear(box);
      append(box, [
        h("h1", null, t("order.title", { id: o.id })),
        h("div", { class: "card", style: "display:grid;gap:6px" },
          h("div", { class: "row", style: "display:flex;justify-content:space-between;gap:8px;align-items:center" },
            h("strong", null, film ? film.name : ""), statusChip(o)),
          sc ? h("div", { class: "muted" }, fmtDateTime(sc.startAt), " · ", sc.hallName) : null,
          h("ul", { class: "sel-list" }, (o.items || []).map(function (it) {
            return h("li", null, h("strong", null, it.seat || "–"), h("span", null, ticketName(it.ticketType)), h("span", null, money(it.price)));
          })),
          h("div", { class: "row", style: "display:flex;justify-content:space-between" }, h("span", null, t("order.total")),
            h("span", { class: "total", id: "order-total" }, money(o.amount))),
          o.status === 2 && o.reason ? h("p", { class: "notice warn" }, STR[lang]["order.reason." + o.reason] || o.reason) : null)
      ]);
      if (o.status === 0 || o.status === 4) {
        var payBtn = h("button", { class: "btn wide", type: "button", id: "pay-btn", disabled: o.status === 4 }, t("order.pay", { amount: money(o.amount) }));
        payBtn.addEventListener("click", async function () {
          var win = window.open("", "_blank");
          try {
            if (!payUrl) {
              var p = await api("/pay/create", { oid: o.id });
              payUrl = p.payUrl;
              sessionStorage.setItem("bo.payurl." + o.id, payUrl);
            }
            if (win) { win.opener = null; win.location = payUrl; }
            else window.open(payUrl, "_blank");
            render();
          } catch (e) {
            if (win) win.close();
            toast(errText(e));
          }
        });
        var cancel = h("button", { class: "btn ghost", type: "button", id: "cancel-btn" }, t("order.cancel"));
        cancel.addEventListener("click", async function () {
          try { await api("/order/remove", { id: o.id }); toast(t("order.cancelled"), true); await refresh(); } catch (e) { toast(errText(e)); }
        });
        append(box, [h("p", { class: "muted" }, o.expireAt ? t("order.payBy", { time: fmtTime(o.expireAt) }) : ""), payBtn,
          payUrl ? h("p", null, h("a", { href: payUrl, target: "_blank", rel: "noopener", id: "pay-link" }, t("order.payAgain"))) : null,
          h("p", { class: "muted" }, t("order.payHint")), cancel]);
      }
      if (o.status === 3)
        box.appendChild(h("p", { class: "notice", id: "refund-note" }, o.refundPending ? t("order.refundPending") : t("order.refundedNote")));
      if ((o.status === 1 || o.status === 3) && (o.items || []).some(function (it) { return it.ticketCode; }))
        renderTickets(box, o, film, sc);
    }
    async function refresh() {
      try { o = await api("/order/detail", { id: id }); } catch (e) { return; }
      if (!stale(seq)) render();
    }
    render();
    var fn = function (m) {
      if (m.orderId !== id) return;
      if (m.status !== o.status) refresh();
    };
    ws.orderFns.add(fn);
    /* the update may have come before this page listened: look once more,
     * then slowly while the order still waits (a safety net for a lost socket) */
    var poll = setInterval(function () {
      if (o.status === 0 || o.status === 4) refresh();
    }, ws.open ? 10000 : 3000);
    setTimeout(function () { if (!stale(seq) && (o.status === 0 || o.status === 4)) refresh(); }, 700);
    onLeave(function () { ws.orderFns.delete(fn); clearInterval(poll); });
  }

  function renderTickets(box, o, film, sc) {
    var list = h("div", { class: "tickets", id: "tickets" });
    append(box, [h("h2", null, t("order.tickets")), h("p", { class: "muted" }, t("order.ticketHint")), list]);
    (o.items || []).forEach(function (it) {
      if (!it.ticketCode) return;
      var img = h("img", { alt: "QR " + it.ticketCode, width: 120, height: 120 });
      list.appendChild(h("div", { class: "card ticket", "data-ticket": it.ticketCode }, img,
        h("div", null, h("strong", null, film ? film.name : ""),
          sc ? h("div", null, fmtDateTime(sc.startAt)) : null,
          sc ? h("div", null, sc.hallName) : null,
          h("div", null, it.seat ? t("order.seat", { seat: it.seat }) : t("order.general"), " · ", ticketName(it.ticketType)),
          h("div", { class: "code" }, it.ticketCode),
          o.status === 3 ? h("div", null, statusChip(o)) : null)));
      if (o.status === 1)
        api("/ticket/qr", { code: it.ticketCode }).then(function (q) {
          img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(q.svg);
        }, function (e) { img.alt = errText(e); });
    });
  }

  /* ------------------------------------------------------------------ me */
  async function viewMe(seq) {
    if (!token) {
      page(seq, [h("h1", null, t("me.title")), h("p", null, t("me.loginFirst")),
        h("button", { class: "btn", type: "button", onclick: function () { openAuth("login"); } }, t("auth.login"))]);
      return;
    }
    var u = me || await loadMe();
    if (!u) { await viewMe(seq); return; }
    /* each part on its own: one failing list does not hide the other */
    var orders = null, comments = null, oErr = null, cErr = null;
    await Promise.all([
      api("/order/list", { page: 1, pageSize: 50 }).then(function (d) { orders = d; }, function (e) { oErr = e; }),
      api("/comment/list").then(function (d) { comments = d; }, function (e) { cErr = e; })
    ]);
    if (stale(seq)) return;
    orders = orders || { list: [] };
    comments = comments || { list: [] };
    function errNote(e) { return e ? h("p", { class: "notice bad", role: "alert" }, errText(e)) : null; }
    var ol = h("ul", { class: "orders", id: "my-orders" });
    (orders.list || []).forEach(function (o) {
      var name = h("strong");
      var when = h("div", { class: "muted" });
      ol.appendChild(h("li", { class: "card" }, h("a", { href: "#/order/" + o.id, "data-order": o.id },
        h("div", null, name, when, h("div", { class: "muted" }, (o.items || []).map(function (i) { return i.seat || t("order.general"); }).join(", "), " · ", money(o.amount))),
        statusChip(o))));
      filmOf(o.fid).then(function (f) { name.textContent = f.name; }, function () { name.textContent = t("order.title", { id: o.id }); });
      if (o.screeningId) screeningOf(o.screeningId).then(function (s) { when.textContent = fmtDateTime(s.startAt) + " · " + s.hallName; }, function () {});
    });
    var cl = h("div", { id: "my-comments" });
    (comments.list || []).forEach(function (c) {
      var fname = h("a", { href: "#/film/" + c.fid });
      cl.appendChild(h("article", { class: "comment" }, h("h3", null, c.title), h("div", { class: "muted" },
        c.rating ? stars(c.rating) : null, " ", fname, c.hidden ? " · " + t("comments.hidden") : ""), h("p", null, c.content)));
      filmOf(c.fid).then(function (f) { fname.textContent = f.name; }, function () {});
    });
    var out = h("button", { class: "btn secondary", type: "button", id: "logout" }, t("me.logout"));
    out.addEventListener("click", function () {
      setToken("");
      toast(t("auth.loggedOut"), true);
      location.hash = "#/";
    });
    page(seq, [h("h1", null, t("me.title")),
      h("p", null, u.name, " · ", u.email || u.mobile),
      h("h2", null, t("me.orders")), oErr ? errNote(oErr) : (orders.list || []).length ? ol : h("p", { class: "muted" }, t("order.none")),
      h("h2", null, t("comments.mine")), cErr ? errNote(cErr) : (comments.list || []).length ? cl : h("p", { class: "muted" }, t("comments.none")),
      h("p", { style: "margin-top:24px" }, out)]);
  }

  /* ---------------------------------------------------------------- auth */
  var codeTimer = null, codeUntil = 0;
  function openAuth(mode) {
    var dlg = $("auth");
    clear(dlg);
    var errEl = h("div", { class: "form-error", role: "alert", id: "auth-error" });
    var body = h("form", { class: "stack", id: "auth-form", novalidate: true });
    var head = h("div", { class: "dlg-head" }, h("h2", { id: "auth-title" }, mode === "login" ? t("auth.login") : t("auth.register")),
      h("button", { class: "x", type: "button", "aria-label": t("close"), onclick: function () { dlg.close(); } }, "×"));
    function field(name, label, attrs) {
      var inp = h("input", Object.assign({ name: name, id: "f-" + name }, attrs || {}));
      return { inp: inp, el: h("label", { class: "field", for: "f-" + name }, label, inp) };
    }
    function showErr(e) {
      errEl.textContent = errText(e);
      var f = e.data && e.data.field;
      var inp = f && body.querySelector('[name="' + f + '"]');
      if (inp) inp.focus();
    }
    if (mode === "login") {
      var acct = field("account", t("auth.account"), { type: "text", autocomplete: "username", required: true });
      var pw = field("password", t("auth.password"), { type: "password", autocomplete: "current-password", required: true });
      append(body, [acct.el, pw.el, errEl, h("button", { class: "btn wide", type: "submit" }, t("auth.submitLogin")),
        h("button", { class: "btn ghost", type: "button", onclick: function () { openAuth("register"); } }, t("auth.noAccount"))]);
      body.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        errEl.textContent = "";
        var a = acct.inp.value.trim();
        var req = { password: pw.inp.value };
        if (a.indexOf("@") >= 0) req.email = a; else req.mobile = a;
        try { await login(req); dlg.close(); } catch (e) { showErr(e); }
      });
    } else {
      var name = field("name", t("auth.name"), { type: "text", autocomplete: "name", maxlength: 100, required: true });
      var gender = h("select", { name: "gender", id: "f-gender" }, [0, 1, 2].map(function (g) { return h("option", { value: g }, t("auth.gender." + g)); }));
      var mobile = field("mobile", t("auth.mobile"), { type: "tel", autocomplete: "tel", maxlength: 20, required: true });
      var email = field("email", t("auth.email"), { type: "email", autocomplete: "email", maxlength: 254, required: true });
      var pw2 = field("password", t("auth.password"), { type: "password", autocomplete: "new-password", minlength: 8, required: true, "aria-describedby": "pw-hint" });
      var send = h("button", { class: "btn secondary", type: "button", id: "send-code" }, t("auth.sendCode"));
      var code = field("emailCode", t("auth.code"), { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, pattern: "[0-9]{6}" });
      var codeBox = h("div", { hidden: true, id: "code-box" }, h("p", { class: "muted", id: "code-sent" }), code.el);
      var submit = h("button", { class: "btn wide", type: "submit", id: "register-btn", disabled: true }, t("auth.submitRegister"));
      function timerText() {
        var left = codeUntil - now();
        if (left > 0) { send.disabled = true; send.textContent = t("auth.resendIn", { s: left }); }
        else { send.disabled = false; send.textContent = t("auth.sendCode"); clearInterval(codeTimer); codeTimer = null; }
      }
      function startTimer(s) {
        codeUntil = now() + s;
        clearInterval(codeTimer);
        codeTimer = setInterval(timerText, 1000);
        timerText();
      }
      send.addEventListener("click", async function () {
        errEl.textContent = "";
        if (!email.inp.value.trim() || !email.inp.checkValidity()) { email.inp.focus(); errEl.textContent = t("err.invalid_field", { field: t("field.email") }); return; }
        try {
          await api("/email/code/send", { email: email.inp.value.trim() });
          codeBox.hidden = false;
          submit.disabled = false;
          $("code-sent").textContent = t("auth.codeSent", { email: email.inp.value.trim() });
          startTimer(60); /* spec 3: one code a minute per destination */
          code.inp.focus();
        } catch (e) {
          if (e.slug === "rate_limited") startTimer(Number(e.retryAfter) || 60);
          showErr(e);
        }
      });
      append(body, [name.el, h("label", { class: "field", for: "f-gender" }, t("auth.gender"), gender), mobile.el, email.el, pw2.el,
        h("small", { class: "muted", id: "pw-hint" }, t("auth.passwordHint")),
        h("div", null, send), codeBox, errEl, submit,
        h("button", { class: "btn ghost", type: "button", onclick: function () { openAuth("login"); } }, t("auth.haveAccount"))]);
      if (codeUntil > now()) { startTimer(codeUntil - now()); }
      body.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        errEl.textContent = "";
        var req = { name: name.inp.value.trim(), gender: Number(gender.value), mobile: mobile.inp.value.trim(),
          email: email.inp.value.trim(), password: pw2.inp.value, emailCode: code.inp.value.trim() };
        try {
          await api("/user/register", req);
          await login({ mobile: req.mobile, password: req.password });
          dlg.close();
        } catch (e) { showErr(e); }
      });
    }
    append(dlg, h("div", { class: "dlg" }, head, body));
    if (!dlg.open) dlg.showModal();
    var firstInput = body.querySelector("input");
    if (firstInput) firstInput.focus();
  }
  async function login(req) {
    var r = await api("/user/login", req);
    setToken(r.accessToken);
    var u = await loadMe();
    toast(t("auth.welcome", { name: u ? u.name : "" }), true);
    route();
  }

  /* ---------------------------------------------------------------- start */
  $("lang-switch").addEventListener("click", function () {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("bo.lang", lang);
    renderNav();
    route();
  });
  $("nav-login").addEventListener("click", function () { openAuth("login"); });
  window.addEventListener("hashchange", function () {
    window.scrollTo(0, 0);
    route().then(function () { view.focus({ preventScroll: true }); });
  });
  window.BO = { t: t, lang: function () { return lang; }, ws: ws }; /* for the tests */

  renderNav();
  fetch("/healthz").then(function (r) { return r.json(); }).then(function (j) {
    if (j && j.currency) currency = j.currency;
  }, function () {}).finally(function () {
    route();
  });
  api("/advert/normal/list").then(function (d) {
    (d.list || []).slice(0, 3).reverse().forEach(function (a) { showAnnouncement(a, false); });
  }, function () {});
  if (token) loadMe();
  wsConnect();
  setInterval(function () { wsSend({ op: "ping" }); }, 25000);
})();
