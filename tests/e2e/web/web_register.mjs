// web_register: create an account in the login dialog with the code from the
// SMTP sink (a wrong code first: the error is shown in words), the resend
// timer, then the account page and logging out.
import { run, mailCode, newPage, shot, check, until, URL, uniq } from "./lib.mjs";

run("web_register", async (browser) => {
  const page = await newPage(browser, { phone: true });
  const u = uniq();
  const email = `reg-${u}@example.com`;
  const mobile = "137" + String(parseInt(u, 16) % 100000000).padStart(8, "0");
  await page.goto(URL + "/#/me");
  await page.getByText("Log in to see your orders and tickets.").waitFor();
  await page.locator("#nav-login").click();
  const dlg = page.locator("#auth");
  await dlg.getByText("New here? Create an account").click();
  await dlg.locator("#f-name").fill("Lin Wei");
  await dlg.locator("#f-mobile").fill(mobile);
  await dlg.locator("#f-email").fill(email);
  await dlg.locator("#f-password").fill("correct horse 42");
  await dlg.locator("#send-code").click();
  await dlg.locator("#code-box").waitFor({ state: "visible" });
  // The resend button counts down from the rate limit (one code a minute).
  const txt = await dlg.locator("#send-code").innerText();
  check(/Resend in (59|60) s/.test(txt), `resend timer shown (${txt})`);
  check(await dlg.locator("#send-code").isDisabled(), "resend disabled while counting");
  const code = await mailCode(email);
  // A wrong code first: the slug in words, naming the field.
  const wrong = code === "000000" ? "111111" : "000000";
  await dlg.locator("#f-emailCode").fill(wrong);
  await dlg.locator("#register-btn").click();
  await dlg.locator("#auth-error").getByText("Please check this field: email code.").waitFor();
  await shot(page, "register-error-phone");
  await dlg.locator("#f-emailCode").fill(code);
  await dlg.locator("#register-btn").click();
  await page.locator("#toast").getByText("Welcome, Lin Wei!").waitFor();
  await until("dialog closed", async () => !(await dlg.evaluate((d) => d.open)));
  await page.locator("#view").getByText(email).waitFor(); // the account page shows who is logged in
  await page.locator("#view h2").getByText("My orders").waitFor();
  await shot(page, "me-phone");
  // Log out, log in again with the email and password.
  await page.locator("#logout").click();
  await page.locator("#toast").getByText("You are logged out.").waitFor();
  await page.locator("#nav-login").click();
  await dlg.locator("#f-account").fill(email);
  await dlg.locator("#f-password").fill("wrong password");
  await dlg.locator('button[type="submit"]').click();
  await dlg.locator("#auth-error").getByText("Wrong login details, or you need to log in.").waitFor();
  await dlg.locator("#f-password").fill("correct horse 42");
  await dlg.locator('button[type="submit"]').click();
  await page.locator("#toast").getByText("Welcome, Lin Wei!").waitFor();
  check(await page.evaluate(() => !!localStorage.getItem("bo.token")), "token kept");
  check(page.errors.length === 0, "no script errors: " + page.errors.join("; "));
});
