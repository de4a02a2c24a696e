package web_test

import (
	"time"

	"context"
	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/alert"
	"github.com/bouncewatch/bouncewatch/web"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/store"
)

// routes are every page and API route, with a method.
var routes = []struct{ method, path string }{
	{"GET", "/"}, {"GET", "/?range=24h"}, {"GET", "/events"}, {"GET", "/incidents"}, {"GET", "/incidents/1"},
	{"POST", "/incidents/1/steps/change-password"}, {"GET", "/bounces"}, {"GET", "/bounces/1"}, {"GET", "/bounces/1/raw"},
	{"GET", "/domain"}, {"GET", "/sources"}, {"GET", "/suppressions"}, {"GET", "/suppressions.csv"}, {"POST", "/logout"},
	{"GET", "/api/v1/incidents"}, {"GET", "/api/v1/incidents/1"}, {"GET", "/api/v1/accounts"}, {"GET", "/api/v1/bounces"},
	{"GET", "/api/v1/series"}, {"GET", "/api/v1/stats"}, {"GET", "/api/v1/sources"},
}

// checkUnauthenticatedRefused: without a session or the token, every page
// and API route answers 401 or sends to the login page, and shows no
// data; a wrong bearer token is refused too.
func checkUnauthenticatedRefused(t *testing.T, f *fixture) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, rt := range routes {
		for _, auth := range []string{"", "Bearer wrong-token", "Basic b3duZXI6eA=="} {
			t.Run(rt.method+" "+rt.path+" "+auth, func(t *testing.T) {
				rq, _ := http.NewRequest(rt.method, f.srv.URL+rt.path, nil)
				if auth != "" {
					rq.Header.Set("Authorization", auth)
				}
				resp, err := noFollow.Do(rq)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusUnauthorized:
				case http.StatusSeeOther:
					if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login") {
						t.Errorf("redirect to %q, not the login page", loc)
					}
				default:
					t.Fatalf("status %d, want 401 or a redirect to /login", resp.StatusCode)
				}
				if strings.Contains(string(body), "shop@example.jp") {
					t.Errorf("the refusal shows data: %.200s", body)
				}
			})
		}
	}
}

// checkPagesWithToken: every page answers the API token as a bearer, with
// the CSP header, and shows what it is for.
func checkPagesWithToken(t *testing.T, f *fixture) {
	bs, err := f.st.Bounces(context.Background(), store.BounceFilter{Limit: 1})
	if err != nil || len(bs) == 0 {
		t.Fatalf("no bounce stored: %v", err)
	}
	id := bs[0].ID
	for _, c := range []struct{ path, want string }{
		{"/", "appears hijacked since 02:14"},
		{"/?range=24h", "chart"},
		{"/incidents", "#1"},
		{"/incidents/1", "change-password"},
		{"/bounces", "bounces"},
		{"/bounces?reason=userunknown&hard=1", "<table"},
		{"/bounces/" + itoa(id), "facts"},
		{"/sources", "maildir:/var/mail/bounces"},
		{"/suppressions", "suppressions.csv"},
	} {
		t.Run(c.path, func(t *testing.T) {
			resp := f.bearer(t, c.path)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q", csp)
			}
			if !strings.Contains(string(body), c.want) {
				t.Errorf("%q not in the page: %.2000s", c.want, body)
			}
			if regexp.MustCompile(`<script>|\son\w+=`).Match(body) {
				t.Errorf("inline script in the page")
			}
		})
	}
	resp := f.bearer(t, "/suppressions.csv")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "account,recipient,reason,first_bounce,last_bounce,count\n") || strings.Count(string(body), "\n") < 2 {
		t.Errorf("CSV: %.300s", body)
	}
	resp = f.bearer(t, "/bounces/"+itoa(id)+"/raw")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || len(body) < 100 {
		t.Errorf("raw: %s %s, %d bytes", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), len(body))
	}
}

func itoa(n int64) string { return strconvItoa(n) }

// login logs a cookie-keeping client in with the password.
func login(t *testing.T, f *fixture, user, pass string) (*http.Client, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(f.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the login page: %.500s", page)
	}
	resp, err = c.PostForm(f.srv.URL+"/login", url.Values{"csrf": {string(m[1])}, "user": {user}, "password": {pass}, "next": {"/incidents/1"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

// checkLoginSessionCSRF: the password logs in (an HttpOnly, SameSite=Strict
// cookie), a state change without the CSRF token is refused and changes
// nothing, with it the tick is stored with who.
func checkLoginSessionCSRF(t *testing.T, f *fixture) {
	c, resp := login(t, f, testUser, testPassword)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `id="plan"`) {
		t.Fatalf("after login: %d %.300s", resp.StatusCode, page)
	}
	u, _ := url.Parse(f.srv.URL)
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "bw_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	// The jar hides the attributes: read them from a fresh login.
	_, resp2 := login(t, f, testUser, testPassword)
	resp2.Body.Close()
	for _, h := range resp2.Request.Response.Header.Values("Set-Cookie") {
		if strings.HasPrefix(h, "bw_session=") && (!strings.Contains(h, "HttpOnly") || !strings.Contains(h, "SameSite=Strict")) {
			t.Errorf("session cookie %q", h)
		}
	}
	post := func(form url.Values, header string) int {
		rq, _ := http.NewRequest("POST", f.srv.URL+"/incidents/1/steps/change-password", strings.NewReader(form.Encode()))
		rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if header != "" {
			rq.Header.Set("X-CSRF-Token", header)
		}
		resp, err := c.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(url.Values{"done": {"1"}}, ""); code != http.StatusForbidden {
		t.Errorf("no CSRF token: %d, want 403", code)
	}
	if code := post(url.Values{"done": {"1"}, "csrf": {"0000"}}, ""); code != http.StatusForbidden {
		t.Errorf("wrong CSRF token: %d, want 403", code)
	}
	if ticks, _ := f.st.PlanTicks(context.Background(), 1); len(ticks) != 0 {
		t.Fatalf("refused requests stored %+v", ticks)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	if code := post(url.Values{"done": {"1"}}, string(csrf[1])); code != http.StatusNoContent {
		t.Errorf("with the CSRF token: %d", code)
	}
	ticks, _ := f.st.PlanTicks(context.Background(), 1)
	if tk := ticks["change-password"]; !tk.Done || tk.By != testUser {
		t.Errorf("tick %+v", tk)
	}
	// The alert that closes the incident lists the steps done.
	in, err := f.st.Incident(context.Background(), 1)
	if err != nil || in == nil {
		t.Fatalf("incident 1: %v", err)
	}
	rend := &alert.Renderer{Lang: advice.English, Ticked: func(in *store.Incident) []string {
		return web.Ticked(context.Background(), f.st, in, advice.English, time.UTC)
	}}
	text := strings.Join(rend.Render(in, store.ChangeClosed, nil).Lines, "\n")
	if !strings.Contains(text, "Steps done:") || !strings.Contains(text, "("+testUser+", ") {
		t.Errorf("closing alert without the steps done:\n%s", text)
	}
	if open := strings.Join(rend.Render(in, store.ChangeOpened, nil).Lines, "\n"); strings.Contains(open, "Steps done:") {
		t.Errorf("an opening alert lists steps done:\n%s", open)
	}
}

// checkLoginRateLimited: after five failures a minute from one address
// even the right password is refused for a while.
func checkLoginRateLimited(t *testing.T, f *fixture) {
	for i := 0; i < 5; i++ {
		_, resp := login(t, f, testUser, "wrong")
		resp.Body.Close()
		if !strings.Contains(resp.Request.URL.RawQuery, "e=1") {
			t.Fatalf("failure %d not reported: %s", i, resp.Request.URL)
		}
	}
	_, resp := login(t, f, testUser, testPassword)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("sixth try: %d, want 429", resp.StatusCode)
	}
}

// checkTokenLogin: the API token in the password field logs in too.
func checkTokenLogin(t *testing.T, f *fixture) {
	_, resp := login(t, f, "", testToken)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `id="plan"`) {
		t.Errorf("token login: %d %.200s", resp.StatusCode, body)
	}
}

// TestHTTP runs the checks over plain HTTP on one fixture, in an order
// where none disturbs the next (the rate limit last).
func TestHTTP(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *fixture)
	}{
		{"unauthenticated refused", checkUnauthenticatedRefused},
		{"pages with the token", checkPagesWithToken},
		{"evidence links to its bounces", checkEvidenceLinks},
		{"evidence in the reader's language", checkEvidenceLanguage},
		{"token login", checkTokenLogin},
		{"login, session and CSRF", checkLoginSessionCSRF},
		{"release and block", checkReleaseAndBlock},
		{"hijacked incident holds its account", checkHijackHold},
		{"DMARC senders on the domain page", checkDMARCSenders},
		{"redirects stay on the site", checkRedirects},
		{"login rate limited", checkLoginRateLimited},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, f) })
	}
}

// checkRedirects: the language switch's "next" never leads off the site.
func checkRedirects(t *testing.T, f *fixture) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ next, want string }{
		{"/bounces?q=a", "/bounces?q=a"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
	} {
		resp, err := noFollow.Get(f.srv.URL + "/lang?l=ja&next=" + url.QueryEscape(c.next))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Location"); got != c.want {
			t.Errorf("next=%q: redirect to %q, want %q", c.next, got, c.want)
		}
	}
}
