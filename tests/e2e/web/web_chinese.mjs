// web_chinese: a browser that prefers Chinese gets the page in Chinese (home,
// film, seat labels, an error), and the switch turns it to English and back.
import { run, catalogue, newPage, shot, check, URL } from "./lib.mjs";

run("web_chinese", async (browser) => {
  const cat = await catalogue();
  const page = await newPage(browser, { phone: true, lang: "zh-CN" });
  await page.goto(URL + "/#/");
  await page.locator("h1").getByText("正在热映").waitFor();
  check(await page.evaluate(() => document.documentElement.lang) === "zh-CN", "html lang zh-CN");
  check((await page.locator("#nav-login").innerText()) === "登录", "login button in Chinese");
  await page.locator(`a[data-film="${cat.filmId}"]`).waitFor();
  await shot(page, "home-zh-phone");
  await page.goto(URL + `/#/film/${cat.filmId}`);
  await page.locator("#sched-h").getByText("场次").waitFor();
  check((await page.locator("[role=tab]").first().innerText()).includes("今天"), "day tab in Chinese");
  await shot(page, "film-zh-phone");
  await page.goto(URL + `/#/screening/${cat.screeningId}`);
  await page.locator("#seatmap g.seat").first().waitFor();
  check(await page.locator('#seatmap g.seat[aria-label="G排1座，VIP 座，可选，65元"]').count() === 1, "Chinese seat label");
  // An error in words, in Chinese: holding seats without logging in asks to log in.
  await page.locator('#seatmap g.seat[data-seat="B3"]').click();
  await page.locator("#hold-btn").click();
  await page.locator("#toast").getByText("请先登录。").waitFor();
  await page.keyboard.press("Escape");
  await shot(page, "seatmap-zh-phone");
  // An unknown film: not_found in words.
  await page.goto(URL + "/#/film/999999999");
  await page.getByText("未找到。").waitFor();
  // The switch: English, and it stays after a reload.
  await page.locator("#lang-switch").click();
  await page.getByText("Not found.").waitFor();
  await page.reload();
  await page.getByText("Not found.").waitFor();
  await page.locator("#lang-switch").click();
  await page.getByText("未找到。").waitFor();
  check(page.errors.length === 0, "no script errors: " + page.errors.join("; "));
});
