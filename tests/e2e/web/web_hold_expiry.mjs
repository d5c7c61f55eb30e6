// web_hold_expiry: a hold that expires frees its seats on screen: in the
// holder's page (the countdown ends, the notice says so) and live in another
// customer's page. The server's expiry is made due at once through Redis
// (as tests/integration/it_seat.c does) instead of waiting hold_ttl; the
// holder's page clock is moved past the countdown.
import { execFileSync } from "node:child_process";
import { run, customer, catalogue, newPage, shot, check, ENV, URL } from "./lib.mjs";

function redis(...args) {
  return execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", ENV.REDIS_PORT, ...args], { encoding: "utf8" }).trim();
}

run("web_hold_expiry", async (browser) => {
  const cat = await catalogue();
  const a = await customer("Ana");
  const b = await customer("Ben");
  const pa = await newPage(browser, { token: a.token });
  await pa.clock.install();
  const pb = await newPage(browser, { phone: true, token: b.token });
  await pa.goto(URL + `/#/screening/${cat.screeningId}`);
  await pb.goto(URL + `/#/screening/${cat.screeningId}`);
  await pa.locator("#seatmap g.seat").first().waitFor();
  await pb.locator("#seatmap g.seat").first().waitFor();

  // Best available for 3: the server picks them; both pages show them held.
  await pa.locator("#best-count").selectOption("3");
  await pa.locator("#best-go").click();
  await pa.locator("#hold-countdown").waitFor();
  const hold = await pa.evaluate((sid) => JSON.parse(sessionStorage.getItem("bo.hold." + sid)), cat.screeningId);
  check(hold && hold.seats.length === 3, "three seats held by best available");
  for (const s of hold.seats) await pb.locator(`#seatmap g.seat[data-seat="${s}"][data-state="h"]`).waitFor({ timeout: 5000 });
  await shot(pa, "best-available-desktop");

  // Expire it: the server frees the seats; the holder's countdown runs out.
  // A hold's keys carry its screening's shard tag (server/cache/redis.h
  // REDIS_SHARD: the id mod 16; a hold id is drawn in its screening's shard).
  const shard = `bo:{s${hold.holdId % 16}}:`;
  redis("HSET", `${shard}hold:${hold.holdId}`, "exp", "1");
  redis("ZADD", `${shard}holdexp`, "1", String(hold.holdId));
  await pa.clock.fastForward("10:05");
  for (const s of hold.seats) {
    await pb.locator(`#seatmap g.seat[data-seat="${s}"][data-state="f"]`).waitFor({ timeout: 10000 });
    await pa.locator(`#seatmap g.seat[data-seat="${s}"][data-state="f"]`).waitFor({ timeout: 10000 });
  }
  await pa.locator("#hold-expired").getByText("Your hold expired").waitFor();
  check(await pa.locator("#hold-countdown").count() === 0, "no countdown after expiry");
  await shot(pa, "hold-expired-desktop");
  check(pa.errors.length === 0 && pb.errors.length === 0, "no script errors: " + pa.errors.concat(pb.errors).join("; "));
});
