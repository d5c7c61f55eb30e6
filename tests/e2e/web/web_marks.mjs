// web_marks: the film page greys out a sold-out screening and marks one
// with fewer than 10 % of its seats free ("few left"); the home page lists
// the film; a sold-out screening cannot be opened from the time buttons.
import { run, api, admin, customer, newPage, shot, check, until, uniq, URL } from "./lib.mjs";

run("web_marks", async (browser) => {
  const tok = await admin();
  const u = uniq();
  const film = await api("/film/create", { name: `Night Ferry ${u}`, desc: "Two strangers, one crossing.", stock: 0, amount: 4000,
    screenwriter: "K. Lund", director: "K. Lund", length: 95, isSelectSeat: 1, genre: "Romance", posterUrl: "/static/posters/valparaiso.svg" }, tok);
  const small = await api("/hall/create", { name: `Box ${u}`, layout: ["SS"] }, tok);
  const big = await api("/hall/create", { name: `Room ${u}`, layout: ["SSSSSSSSSSS", "SSSSSSSSSSS"] }, tok);
  const base = Math.floor(Date.now() / 1000 / 3600) * 3600 + 86400 + 2 * 3600;
  const soldOut = await api("/screening/create", { filmId: film.id, hallId: small.id, startAt: base }, tok);
  const few = await api("/screening/create", { filmId: film.id, hallId: big.id, startAt: base + 3 * 3600 }, tok);
  const c = await customer("Kim");
  await api("/seat/hold", { screeningId: soldOut.id, seats: ["A1", "A2"] }, c.token);
  await api("/seat/hold", { screeningId: few.id, seats: ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10"] }, c.token);
  const c2 = await customer("Lee");
  await api("/seat/hold", { screeningId: few.id, seats: ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10"] }, c2.token);
  // 2 of 22 free: under 10 %

  const page = await newPage(browser, { phone: true });
  await until("marks on the film page", async () => {
    await page.goto(URL + `/#/film/${film.id}`);
    await page.locator(`a[data-screening="${few.id}"]`).waitFor();
    return (await page.locator(`a[data-screening="${soldOut.id}"]`).innerText()).includes("sold out");
  }, 20000, 1000);
  const so = page.locator(`a[data-screening="${soldOut.id}"]`);
  check(await so.getAttribute("aria-disabled") === "true", "sold out is disabled");
  check(await so.getAttribute("href") === null, "sold out has no link");
  check((await page.locator(`a[data-screening="${few.id}"]`).innerText()).includes("few left"), "few left mark");
  await shot(page, "film-marks-phone");
});
