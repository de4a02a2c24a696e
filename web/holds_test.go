package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

// checkReleaseAndBlock: an account not held shows a Block form; a POST
// without the CSRF token is refused and changes nothing; with it the
// account is held (the reason shown as text), the incident page and the
// overview's card say so with a Release button, and the timeline says
// who blocked it. Release works the same way, refused without the token,
// and the store and the timeline show it.
func checkReleaseAndBlock(t *testing.T, f *fixture) {
	ctx := context.Background()
	in, err := f.st.Incident(ctx, 1)
	if err != nil || in == nil {
		t.Fatalf("incident 1: %v", err)
	}
	acct := strings.ToLower(in.Account)
	held := func() bool {
		holds, err := f.st.Holds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := holds[acct]
		return ok
	}
	if held() {
		t.Fatalf("%s held before the test (its incident is closed)", acct)
	}
	c, resp := login(t, f, testUser, testPassword)
	resp.Body.Close()
	get := func(path string) string {
		resp, err := c.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	noFollow := *c
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	post := func(path string, form url.Values) int {
		resp, err := noFollow.PostForm(f.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	page := get("/incidents/1")
	if !strings.Contains(page, `data-held="0"`) || !strings.Contains(page, `action="/accounts/block"`) {
		t.Fatalf("incident page of an account not held shows no Block form:\n%s", page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindStringSubmatch(page)[1]
	const reason = `<b>spam</b> from 203.0.113.9`
	if code := post("/accounts/block", url.Values{"account": {in.Account}, "reason": {reason}}); code != http.StatusForbidden {
		t.Errorf("block without CSRF: %d, want 403", code)
	}
	if held() {
		t.Fatal("a refused block held the account")
	}
	if code := post("/accounts/block", url.Values{"account": {in.Account}, "reason": {reason}, "csrf": {csrf}, "next": {"/incidents/1"}}); code != http.StatusSeeOther {
		t.Errorf("block with CSRF: %d, want 303", code)
	}
	holds, _ := f.st.Holds(ctx)
	if b := holds[acct].Block; b == nil || b.Reason != reason || b.By != testUser {
		t.Fatalf("block not stored: %+v", holds[acct])
	}

	page = get("/incidents/1")
	if !strings.Contains(page, `data-held="1"`) || !strings.Contains(page, `action="/accounts/release"`) ||
		!strings.Contains(page, "Sending is paused for this account until you release it.") {
		t.Fatalf("incident page shows no hold or no Release button:\n%s", page)
	}
	if !strings.Contains(page, html.EscapeString(reason)) || strings.Contains(page, reason) {
		t.Errorf("the block's reason is not shown as escaped text")
	}
	if !regexp.MustCompile(`<li><time>[^<]+</time> blocked — ` + testUser + ` — `).MatchString(page) {
		t.Errorf("no blocked entry in the timeline:\n%s", page)
	}
	if ov := get("/"); !regexp.MustCompile(`(?s)data-account="` + regexp.QuoteMeta(in.Account) + `".*?data-held="1".*?action="/accounts/release"`).MatchString(ov) {
		t.Errorf("the overview's card of %s shows no hold", in.Account)
	}
	ja, _ := http.NewRequest("GET", f.srv.URL+"/incidents/1", nil)
	ja.Header.Set("Accept-Language", "ja")
	if resp, err := c.Do(ja); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "このアカウントの送信は、解除するまで停止しています。") {
			t.Errorf("no Japanese hold notice")
		}
	}

	if code := post("/accounts/release", url.Values{"account": {in.Account}, "next": {"/incidents/1"}}); code != http.StatusForbidden {
		t.Errorf("release without CSRF: %d, want 403", code)
	}
	if !held() {
		t.Fatal("a refused release released the account")
	}
	if code := post("/accounts/release", url.Values{"account": {in.Account}, "next": {"/incidents/1"}, "csrf": {csrf}}); code != http.StatusSeeOther {
		t.Errorf("release with CSRF: %d, want 303", code)
	}
	if held() {
		t.Fatal("still held after release")
	}
	page = get("/incidents/1")
	if !strings.Contains(page, `data-held="0"`) || !regexp.MustCompile(`<li><time>[^<]+</time> released — `+testUser+`</li>`).MatchString(page) {
		t.Errorf("after release: no released state or no timeline entry:\n%s", page)
	}
}

// checkHijackHold: an open hijacked incident holds its account; the
// incident page says so, and a release with the API token (no CSRF
// needed: a browser never sends it on its own) lifts the hold, with
// who in the timeline.
func checkHijackHold(t *testing.T, f *fixture) {
	ctx := context.Background()
	now := time.Now().Add(-time.Minute)
	in := &store.Incident{Account: "sales@example.jp", Verdict: "hijacked", Confidence: 0.9, Onset: now, OpenedAt: now, UpdatedAt: now,
		Evidence: []string{"test"}}
	if err := f.st.SaveIncident(ctx, in, store.ChangeOpened, nil); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/incidents/%d", in.ID)
	read := func() string {
		resp := f.bearer(t, path)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if page := read(); !strings.Contains(page, `data-held="1"`) || !strings.Contains(page, "held as hijacked") {
		t.Fatalf("open hijacked incident: no hold shown:\n%s", page)
	}
	rq, _ := http.NewRequest("POST", f.srv.URL+"/accounts/release", strings.NewReader(url.Values{"account": {in.Account}}.Encode()))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("release with the token: %d", resp.StatusCode)
	}
	if holds, _ := f.st.Holds(ctx); holds[in.Account].Account != "" {
		t.Fatalf("still held: %+v", holds[in.Account])
	}
	if page := read(); !strings.Contains(page, `data-held="0"`) || !strings.Contains(page, "released — api-token") {
		t.Errorf("after release:\n%s", page)
	}
}
