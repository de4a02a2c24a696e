package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// getPage GETs path with the token and returns the body.
func getPage(t *testing.T, f *fixture, path string) string {
	t.Helper()
	resp := f.bearer(t, path)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d: %.300s", path, resp.StatusCode, body)
	}
	return string(body)
}

// listedIDs are the bounce IDs a bounce list shows.
func listedIDs(page string) []int64 {
	var ids []int64
	for _, m := range regexp.MustCompile(`<a href="/bounces/(\d+)">`).FindAllStringSubmatch(page, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// checkEvidenceLinks: each evidence sentence of the hijack's incident
// links to the bounces behind it — the account's bounces in the surge
// window, those sent by us for the sentences about our messages — and
// each reason to the account's bounces of that reason; the lists the
// links open hold exactly such bounces.
func checkEvidenceLinks(t *testing.T, f *fixture) {
	page := getPage(t, f, "/incidents/1")
	sec := page[strings.Index(page, `id="evidence"`):]
	sec = sec[:strings.Index(sec, "</ul>")]
	items := regexp.MustCompile(`<li>[^<]+<a class="behind" href="([^"]+)">`).FindAllStringSubmatch(sec, -1)
	if n := strings.Count(sec, "<li>"); n == 0 || len(items) != n {
		t.Fatalf("%d of %d evidence sentences link to bounces:\n%s", len(items), n, sec)
	}
	var ours string
	for _, it := range items {
		href := html.UnescapeString(it[1])
		u, err := url.Parse(href)
		if err != nil || u.Path != "/bounces" {
			t.Fatalf("evidence link %q", href)
		}
		v := u.Query()
		if v.Get("account") != "shop@example.jp" || v.Get("since") == "" || v.Get("until") == "" {
			t.Errorf("evidence link %q lacks the account or the surge window", href)
		}
		if v.Get("attrib") == "ours" && ours == "" {
			ours = href
		}
	}
	if ours == "" {
		t.Fatalf("no evidence sentence links to the bounces of messages sent by us:\n%s", sec)
	}
	// The bounces sent by us: every one listed is judged ours on its
	// page; those not sent by us in the same window are others.
	list := getPage(t, f, ours)
	ids := listedIDs(list)
	if len(ids) == 0 {
		t.Fatalf("%s lists no bounce", ours)
	}
	if !strings.Contains(list, `data-attrib="ours"`) {
		t.Errorf("the list does not say it is filtered")
	}
	for i, id := range ids {
		if i%10 != 0 {
			continue
		}
		if v, _, p := attribOf(t, f, id); v != "ours" || !strings.Contains(p, "shop@example.jp") {
			t.Errorf("bounce %d listed as sent by us: verdict %q", id, v)
		}
	}
	notOurs := listedIDs(getPage(t, f, strings.Replace(ours, "attrib=ours", "attrib=not_ours", 1)))
	for _, a := range notOurs {
		for _, b := range ids {
			if a == b {
				t.Errorf("bounce %d listed both as ours and as not ours", a)
			}
		}
	}
	all := listedIDs(getPage(t, f, strings.Replace(ours, "&attrib=ours", "", 1)))
	if len(all) < len(ids) {
		t.Errorf("the window holds %d bounces, fewer than the %d ours", len(all), len(ids))
	}
	// Reasons: each links to the account's bounces of that reason.
	rs := regexp.MustCompile(`<li><a href="([^"]+)">[^<]+</a>: [\d,]+</li>`).FindAllStringSubmatch(page[strings.Index(page, `id="evidence-reasons"`):], -1)
	if len(rs) == 0 {
		t.Fatalf("no reason links")
	}
	href := html.UnescapeString(rs[0][1])
	u, _ := url.Parse(href)
	want := u.Query().Get("reason")
	ids = listedIDs(getPage(t, f, href))
	if want == "" || len(ids) == 0 {
		t.Fatalf("reason link %q: %d bounces", href, len(ids))
	}
	for _, id := range ids[:min(len(ids), 5)] {
		b, _, err := f.st.BounceDetail(context.Background(), id)
		if err != nil || b == nil || b.Reason != want || b.Account != "shop@example.jp" {
			t.Errorf("bounce %d in the %s list: %+v %v", id, want, b, err)
		}
	}
}

// checkEvidenceLanguage: the hijack's incident was detected in English;
// its evidence sentences follow the reader's language all the same —
// Japanese under Accept-Language ja or the ja cookie, English under en.
func checkEvidenceLanguage(t *testing.T, f *fixture) {
	sentences := func(t *testing.T, rq *http.Request) []string {
		t.Helper()
		rq.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		page := string(body)
		sec := page[strings.Index(page, `id="evidence"`):]
		sec = sec[:strings.Index(sec, "</ul>")]
		var out []string
		for _, m := range regexp.MustCompile(`<li>([^<]+)<a class="behind"`).FindAllStringSubmatch(sec, -1) {
			out = append(out, html.UnescapeString(strings.TrimSpace(m[1])))
		}
		if len(out) == 0 {
			t.Fatalf("no evidence sentences:\n%s", sec)
		}
		return out
	}
	japanese := regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`)
	isJa := func(ss []string) bool {
		for _, s := range ss {
			if !japanese.MatchString(s) {
				return false
			}
		}
		return true
	}
	quoted := regexp.MustCompile(`«[^»]*»`) // the messages' own subjects
	isEn := func(ss []string) bool {
		for _, s := range ss {
			if japanese.MatchString(quoted.ReplaceAllString(s, "")) {
				return false
			}
		}
		return true
	}
	req := func(lang string) *http.Request {
		rq, _ := http.NewRequest("GET", f.srv.URL+"/incidents/1", nil)
		if lang != "" {
			rq.Header.Set("Accept-Language", lang)
		}
		return rq
	}
	en := sentences(t, req("en"))
	if !isEn(en) {
		t.Errorf("Accept-Language en: evidence %q", en)
	}
	ja := sentences(t, req("ja"))
	if !isJa(ja) || len(ja) != len(en) {
		t.Errorf("Accept-Language ja: evidence %q (English %q)", ja, en)
	}
	rq := req("en")
	rq.AddCookie(&http.Cookie{Name: "bw_lang", Value: "ja"})
	if got := sentences(t, rq); !isJa(got) || len(got) != len(en) {
		t.Errorf("ja cookie: evidence %q", got)
	}
}
