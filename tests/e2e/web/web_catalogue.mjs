// web_catalogue: home (poster cards, adverts, announcements), a film's page
// (day tabs, screening times, comments with the average, posting one), and
// the seat map drawn from the layout (every seat type, aria-labels, keyboard
// selection), on a desktop and a 360 px wide phone.
import { run, api, admin, customer, catalogue, newPage, shot, check, until, URL, uniq } from "./lib.mjs";

run("web_catalogue", async (browser) => {
  const cat = await catalogue();
  const tok = await admin();
  const u = await customer("Mei Chen");
  await api("/comment/create", { fid: cat.filmId, title: "Beautiful and quiet", content: "The last scene on the ferry stayed with me all week.", isAnonymous: 0, rating: 4 }, u.token);
  await api("/comment/create", { fid: cat.filmId, title: "A bit slow", content: "Lovely pictures, too long in the middle.", isAnonymous: 1, rating: 3 }, u.token);
  const tag = uniq();
  await api("/advert/create", { title: `Student Tuesdays ${tag}`, content: "Every Tuesday: 20 % off with a student card.", isCom: 1, status: 0, filmId: cat.filmId }, tok);

  // Home on a desktop: the new film as a card, with its rating; the advert.
  const page = await newPage(browser);
  await page.goto(URL + "/#/");
  const card = page.locator(`a[data-film="${cat.filmId}"]`);
  await card.waitFor({ timeout: 10000 });
  await until("rating on the card", async () => /3\.5/.test(await card.innerText()));
  await page.locator("#adverts").getByText(`Student Tuesdays ${tag}`).waitFor();
  await shot(page, "home-desktop");

  // The film's page: 7 day tabs, the screening's time, comments and average.
  await card.click();
  await page.waitForURL(/#\/film\//);
  const tabs = page.locator('[role="tab"]');
  await tabs.first().waitFor();
  check((await tabs.count()) === 7, "seven day tabs");
  const time = page.locator(`a[data-screening="${cat.screeningId}"]`);
  await time.waitFor();
  await page.locator("#avg-rating").getByText("3.5").waitFor();
  check((await page.locator("article.comment").count()) === 2, "two comments");
  check(await page.getByText("Anonymous").isVisible(), "anonymous author");
  check(await page.getByText("Log in to write a review.").isVisible(), "login prompt for the review form");
  await shot(page, "film-desktop");

  // The seat map: a seat per letter of the layout, one focusable at a time.
  await time.click();
  await page.waitForURL(/#\/screening\//);
  const seats = page.locator("#seatmap g.seat");
  await seats.first().waitFor();
  const letters = cat.layout.join("").replace(/\./g, "").length;
  check((await seats.count()) === letters, `a seat for each of the ${letters} letters`);
  check((await page.locator('#seatmap g.seat[tabindex="0"]').count()) === 1, "one seat in the tab order");
  check(await page.locator('g.seat[aria-label="Row G, seat 1, VIP, free, 65 yuan"]').count() === 1, "VIP seat label");
  check(await page.locator('g.seat[aria-label="Row E, seat 1, wheelchair space, free, 30 yuan"]').count() === 1, "wheelchair label");
  check(await page.locator('g.seat[aria-label="Row A, seat 1, blocked, not for sale"]').count() === 1, "blocked label");
  check(await page.locator('g.seat[aria-label="Row F, seat 4, house seat, house seat, staff only"]').count() === 1, "house seat label");
  // Keyboard: start on a seat, move right, select with Space.
  await page.locator('#seatmap g.seat[tabindex="0"]').focus();
  const first = await page.evaluate(() => document.activeElement.getAttribute("data-seat"));
  await page.keyboard.press("ArrowLeft");
  const moved = await page.evaluate(() => document.activeElement.getAttribute("data-seat"));
  check(moved && moved !== first, `arrow key moves the cursor (${first} -> ${moved})`);
  await page.keyboard.press("Space");
  check(await page.locator(`g.seat[data-seat="${moved}"]`).getAttribute("aria-pressed") === "true", "Space selects");
  await page.locator("#sel-list").getByText(moved).waitFor();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Space");
  check((await page.locator("#sel-list li").count()) === 2, "two seats selected by keyboard");
  await shot(page, "seatmap-desktop");

  // Phone width: the same map fits or scrolls; no horizontal page scroll.
  const phone = await newPage(browser, { phone: true, token: u.token });
  await phone.goto(URL + "/#/");
  await phone.locator(`a[data-film="${cat.filmId}"]`).waitFor();
  await shot(phone, "home-phone");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `no sideways scrolling at 360 px (${overflow} px)`);
  await phone.goto(URL + `/#/film/${cat.filmId}`);
  await phone.locator("#comment-form").waitFor();
  // Post a review when logged in.
  await phone.locator('label[for="rate-5"]').click();
  await phone.locator('#comment-form input[name="title"]').fill("Worth the trip");
  await phone.locator('#comment-form textarea[name="content"]').fill("Go for the ending.");
  await phone.locator('#comment-form button[type="submit"]').click();
  await phone.locator("article.comment").getByText("Worth the trip").waitFor();
  await phone.locator("#avg-rating").getByText("4.0").waitFor();
  await shot(phone, "film-phone");
  await phone.goto(URL + `/#/screening/${cat.screeningId}`);
  await phone.locator("#seatmap g.seat").first().waitFor();
  await shot(phone, "seatmap-phone");
  check(page.errors.length === 0 && phone.errors.length === 0, "no script errors: " + page.errors.concat(phone.errors).join("; "));
});
