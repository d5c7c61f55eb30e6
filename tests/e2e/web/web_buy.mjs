// web_buy: a customer picks two seats on the map, holds them (countdown),
// chooses a child ticket for one, orders (pending, then unpaid, live), pays
// on paysim's page in a new tab, and the order page turns paid by itself and
// shows both tickets with their QR codes; the account page lists the order.
import { run, api, admin, customer, catalogue, newPage, shot, check, until, URL } from "./lib.mjs";

run("web_buy", async (browser) => {
  const cat = await catalogue();
  const u = await customer("Zhang Min");
  const page = await newPage(browser, { token: u.token });
  await page.goto(URL + `/#/screening/${cat.screeningId}`);
  await page.locator("#seatmap g.seat").first().waitFor();
  await page.locator('#seatmap g.seat[data-seat="C4"]').click();
  await page.locator('#seatmap g.seat[data-seat="C5"]').click();
  check((await page.locator("#sel-list li").count()) === 2, "two seats selected");
  await page.locator("#hold-btn").click();
  await page.locator("#hold-countdown").waitFor();
  check(/Held for you: (9|10):\d\d left/.test(await page.locator("#hold-countdown").innerText()), "hold countdown");
  check(await page.locator('#seatmap g.seat[data-seat="C4"]').getAttribute("aria-label") === "Row C, seat 4, standard, selected, 45 yuan", "held seat label");
  await page.locator('#sel-list select[data-seat="C5"]').selectOption("child");
  await page.locator("#est-total").getByText("¥76.50").waitFor(); // 45.00 + 45.00 less 30 %
  await shot(page, "hold-desktop");

  await page.locator("#checkout-btn").click();
  await page.waitForURL(/#\/order\/\d+/);
  const orderId = Number(page.url().split("/").pop());
  await page.locator("#order-total").getByText("¥76.50").waitFor(); // the server's total
  // pending -> unpaid arrives by itself
  await page.locator('#order .status[data-status="0"]').waitFor({ timeout: 15000 });
  await shot(page, "order-unpaid-desktop");

  // Pay at the provider's page, opened in a new tab.
  const [pay] = await Promise.all([page.context().waitForEvent("page"), page.locator("#pay-btn").click()]);
  await pay.waitForLoadState();
  await until("paysim page", async () => /\/pay\/\d+/.test(pay.url()), 10000);
  await pay.locator("#approve").click();
  await pay.locator("#result").waitFor();
  await pay.close();

  // The order page turns paid without a reload and shows the tickets.
  await page.locator('#order .status[data-status="1"]').waitFor({ timeout: 15000 });
  const tickets = page.locator("#tickets .ticket");
  await until("two tickets", async () => (await tickets.count()) === 2, 10000);
  await until("QR images", async () => {
    const srcs = await page.locator("#tickets img").evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0 && i.src.startsWith("data:image/svg+xml")));
    return srcs.length === 2 && srcs.every(Boolean);
  }, 10000);
  await shot(page, "order-paid-desktop");
  // Both changes came as order.update over /ws (not only from re-reading).
  const log = await page.evaluate(() => window.BO.ws.orderLog);
  check(log.some((m) => m.orderId === orderId && m.status === 0), "order.update unpaid received: " + JSON.stringify(log));
  check(log.some((m) => m.orderId === orderId && m.status === 1), "order.update paid received: " + JSON.stringify(log));

  // The same order on a phone, and the account page.
  const phone = await newPage(browser, { phone: true, token: u.token });
  await phone.goto(URL + `/#/order/${orderId}`);
  await phone.locator("#tickets .ticket").first().waitFor();
  await shot(phone, "order-paid-phone");
  await phone.goto(URL + "/#/me");
  await phone.locator(`#my-orders a[data-order="${orderId}"] .status[data-status="1"]`).waitFor();
  await shot(phone, "me-orders-phone");
  // The seats are sold now for everybody.
  const other = await newPage(browser);
  await other.goto(URL + `/#/screening/${cat.screeningId}`);
  await other.locator('#seatmap g.seat[data-seat="C4"][data-state="s"]').waitFor();
  // A refund by the box office shows on the order and in the account.
  await api("/order/refund", { id: orderId, reason: "customer asked at the counter" }, await admin());
  await phone.goto(URL + `/#/order/${orderId}`);
  await phone.locator('#order .status[data-status="3"]').first().waitFor({ timeout: 15000 });
  await shot(phone, "order-refunded-phone");
  // and the refund freed the seats: the other page sees it live
  await other.locator('#seatmap g.seat[data-seat="C4"][data-state="f"]').waitFor({ timeout: 10000 });
  check(page.errors.length === 0 && phone.errors.length === 0, "no script errors: " + page.errors.concat(phone.errors).join("; "));
});
