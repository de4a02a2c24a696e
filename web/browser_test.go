package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bouncewatch/bouncewatch/store"
)

// chromium finds Debian's chromium. Without it the browser tests skip,
// except under CI=true, where they fail: CI installs it (.ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("BOUNCEWATCH_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install chromium fonts-noto-cjk); under CI the browser tests must run")
	}
	t.Skip("chromium is not installed; the browser tests need it (apt-get install chromium fonts-noto-cjk)")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile, its clock
// in Tokyo (the scenario's zone), and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	profile, err := os.MkdirTemp("", "bw-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 900))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelC()
		cancelB()
		cancelA()
		// Chromium may still be writing its profile as it exits.
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx, emulation.SetTimezoneOverride("Asia/Tokyo")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// TestBrowser drives the dashboard in a real Chromium, one browser for
// all the steps (they run in order: each one builds on the last).
func TestBrowser(t *testing.T) {
	ctx := newBrowser(t)
	f := newFixture(t)
	u := f.srv.URL

	t.Run("unauthenticated goes to login", func(t *testing.T) {
		var loc string
		run(t, ctx, "open /", chromedp.Navigate(u+"/bounces"), chromedp.WaitVisible("#password", chromedp.ByID), chromedp.Location(&loc))
		if !strings.Contains(loc, "/login?next=%2Fbounces") {
			t.Errorf("at %s, want the login page", loc)
		}
	})

	t.Run("login", func(t *testing.T) {
		run(t, ctx, "log in", chromedp.Navigate(u+"/login"),
			chromedp.SendKeys("#user", testUser, chromedp.ByID), chromedp.SendKeys("#password", testPassword, chromedp.ByID),
			chromedp.Click("#login-button", chromedp.ByID), chromedp.WaitVisible("#banner", chromedp.ByID))
	})

	t.Run("overview", func(t *testing.T) {
		var banner, onset string
		var lines, rows, onsets int
		var total float64
		run(t, ctx, "overview", chromedp.Navigate(u+"/"), chromedp.WaitVisible("#banner", chromedp.ByID),
			chromedp.Text("#banner", &banner, chromedp.ByID),
			chromedp.Evaluate(`document.querySelectorAll("#chart svg path.line-b, #chart svg path.line-s").length`, &lines),
			chromedp.Evaluate(`document.querySelectorAll("#chart-table tbody tr").length`, &rows),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("#chart-table tbody tr td:nth-child(2)")).reduce((a, td) => a + Number(td.textContent.replace(/,/g, "")), 0)`, &total),
			chromedp.Evaluate(`document.querySelectorAll("#chart svg line.onset").length`, &onsets),
			chromedp.TextContent("#chart svg .onset-label", &onset, chromedp.ByQuery))
		if !strings.Contains(banner, "shop@example.jp appears hijacked since 02:14") || !strings.Contains(banner, "change its password now") {
			t.Errorf("banner %q", banner)
		}
		if lines != 2 || rows < 10 || total < 50 {
			t.Errorf("chart: %d lines (want bounced and sent), %d table rows with %v bounces", lines, rows, total)
		}
		if onsets != 1 || !strings.Contains(onset, "02:14") {
			t.Errorf("onset: %d markers, label %q", onsets, onset)
		}
	})

	t.Run("language switch", func(t *testing.T) {
		var lang, banner, back string
		run(t, ctx, "to Japanese", chromedp.Click("#lang-switch", chromedp.ByID), chromedp.WaitVisible(`html[lang="ja"]`),
			chromedp.Text("#banner", &banner, chromedp.ByID))
		if !strings.Contains(banner, "乗っ取られているようです") || !strings.Contains(banner, "02:14") {
			t.Errorf("Japanese banner %q", banner)
		}
		run(t, ctx, "reload stays Japanese", chromedp.Reload(), chromedp.WaitVisible("#banner", chromedp.ByID),
			chromedp.AttributeValue("html", "lang", &lang, nil))
		if lang != "ja" {
			t.Errorf("after reload lang=%q: the choice is not remembered", lang)
		}
		run(t, ctx, "back to English", chromedp.Click("#lang-switch", chromedp.ByID), chromedp.WaitVisible(`html[lang="en"]`),
			chromedp.Text("#banner", &back, chromedp.ByID))
		if !strings.Contains(back, "appears hijacked") {
			t.Errorf("English again: %q", back)
		}
	})

	t.Run("plan tick survives reload", func(t *testing.T) {
		incs, err := f.st.Incidents(context.Background(), store.IncidentFilter{})
		if err != nil || len(incs) == 0 {
			t.Fatalf("no incident: %v", err)
		}
		page := u + "/incidents/" + itoa(incs[0].ID)
		var done, by, pw string
		run(t, ctx, "tick", chromedp.Navigate(page), chromedp.WaitVisible("#step-change-password", chromedp.ByID),
			chromedp.Click("#step-change-password button.tickbox", chromedp.ByQuery),
			chromedp.WaitVisible("#step-change-password.done", chromedp.ByQuery),
			chromedp.Reload(), chromedp.WaitVisible("#step-change-password", chromedp.ByID),
			chromedp.AttributeValue("#step-change-password", "data-done", &done, nil, chromedp.ByID),
			chromedp.Text("#step-change-password .by", &by, chromedp.ByQuery))
		if done != "1" || !strings.Contains(by, testUser) {
			t.Errorf("after reload: data-done=%q, by %q", done, by)
		}
		// The new password is made in the browser.
		run(t, ctx, "make a password", chromedp.Click("[data-genpw]", chromedp.ByQuery),
			chromedp.Text("output.pw", &pw, chromedp.ByQuery))
		if len(pw) != 20 {
			t.Errorf("password %q", pw)
		}
		// A state change without the CSRF token is refused.
		var status int
		run(t, ctx, "post without CSRF", chromedp.Evaluate(`fetch(location.pathname + "/steps/check-queue", {method: "POST", body: new URLSearchParams({done: "1"})}).then(r => r.status)`, &status, awaitPromise))
		if status != 403 {
			t.Errorf("POST without the CSRF token: %d, want 403", status)
		}
	})

	var hostileID int64
	t.Run("live update without reload", func(t *testing.T) {
		var text string
		run(t, ctx, "overview", chromedp.Navigate(u+"/"), chromedp.WaitVisible("#latest", chromedp.ByID),
			chromedp.Evaluate(`window.__marker = "same page"; document.documentElement.getAttribute("data-live")`, nil))
		// Wait for the stream to be open, then store a new bounce.
		run(t, ctx, "stream open", chromedp.WaitVisible(`html[data-live="on"]`))
		putHostile(t, f.st, "live-new@example.org", f.sc.Now.Add(-time.Minute))
		run(t, ctx, "the bounce appears", chromedp.Poll(`document.getElementById("latest").textContent.includes("live-new@example.org")`, nil,
			chromedp.WithPollingTimeout(20*time.Second)),
			chromedp.Evaluate(`window.__marker`, &text))
		if text != "same page" {
			t.Errorf("the page was reloaded (marker %q)", text)
		}
		bs, err := f.st.SearchBounces(context.Background(), store.BounceSearch{Text: "live-new"})
		if err != nil || len(bs) != 1 {
			t.Fatalf("hostile bounce: %d %v", len(bs), err)
		}
		hostileID = bs[0].ID
	})

	t.Run("hostile fields are text", func(t *testing.T) {
		if hostileID == 0 {
			t.Skip("the live step stored no hostile bounce")
		}
		var subject, from, diag, orig, attribution string
		var pwned bool
		var imgs, jsLinks int
		for _, page := range []string{"/bounces/" + itoa(hostileID), "/bounces?q=live-new", "/"} {
			run(t, ctx, page, chromedp.Navigate(u+page), chromedp.WaitVisible("main", chromedp.ByQuery),
				chromedp.Sleep(300*time.Millisecond),
				chromedp.Evaluate(`window.__pwned === 1`, &pwned),
				chromedp.Evaluate(`document.querySelectorAll("main img").length`, &imgs),
				chromedp.Evaluate(`Array.from(document.querySelectorAll("a[href]")).filter(a => /^\s*(javascript|data):/i.test(a.getAttribute("href"))).length`, &jsLinks))
			if pwned || imgs != 0 || jsLinks != 0 {
				t.Errorf("%s: payload ran=%v, %d injected images, %d script links", page, pwned, imgs, jsLinks)
			}
		}
		run(t, ctx, "detail", chromedp.Navigate(u+"/bounces/"+itoa(hostileID)), chromedp.WaitVisible("#facts", chromedp.ByID),
			chromedp.Text("#bounce-subject", &subject, chromedp.ByID), chromedp.Text("#bounce-from", &from, chromedp.ByID),
			chromedp.Text("#diagnostic", &diag, chromedp.ByID), chromedp.Text("#orig-from", &orig, chromedp.ByID),
			chromedp.Text("#attribution", &attribution, chromedp.ByID))
		if !strings.Contains(attribution, "Was this sent by us?") || !strings.Contains(attribution, "Technical details") {
			t.Errorf("the detail page lacks the attribution: %q", attribution)
		}
		for name, got := range map[string]string{"subject": subject, "diagnostic": diag} {
			for _, want := range []string{"<script>window.__pwned=1</script>", `"><img src=x onerror="window.__pwned=1">`, "javascript:window.__pwned=1"} {
				if !strings.Contains(got, want) {
					t.Errorf("%s %q lacks %q as text", name, got, want)
				}
			}
		}
		if !strings.Contains(from, "<script>") || !strings.Contains(orig, `"><img src=x onerror=`) {
			t.Errorf("from %q, original from %q: not shown as text", from, orig)
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		dir := t.ArtifactDir()
		for _, lang := range []string{"en", "ja"} {
			for _, size := range []struct {
				name string
				w, h int64
				mob  bool
			}{{"desktop", 1280, 900, false}, {"phone", 390, 844, true}} {
				var png []byte
				run(t, ctx, lang+" "+size.name,
					emulation.SetDeviceMetricsOverride(size.w, size.h, 1, size.mob),
					chromedp.Navigate(u+"/lang?l="+lang+"&next=/"), chromedp.WaitVisible("#banner", chromedp.ByID),
					chromedp.FullScreenshot(&png, 100))
				p := filepath.Join(dir, "overview-"+lang+"-"+size.name+".png")
				if err := os.WriteFile(p, png, 0o644); err != nil {
					t.Fatal(err)
				}
				if len(png) < 10000 {
					t.Errorf("%s: screenshot of %d bytes", p, len(png))
				}
				t.Logf("screenshot: %s", p)
			}
		}
		// On a phone the page does not scroll sideways.
		var wide bool
		run(t, ctx, "phone width", emulation.SetDeviceMetricsOverride(390, 844, 1, true), chromedp.Navigate(u+"/"),
			chromedp.WaitVisible("#banner", chromedp.ByID),
			chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &wide))
		if wide {
			t.Errorf("the overview is wider than a phone's screen")
		}
	})
}
