package web_test

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/store"
)

// attribOf fetches bounce id's page and returns the attribution
// section's verdict, item codes and the whole page.
func attribOf(t *testing.T, f *fixture, id int64) (verdict string, codes []string, page string) {
	t.Helper()
	resp := f.bearer(t, "/bounces/"+itoa(id))
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("bounce %d: status %d", id, resp.StatusCode)
	}
	page = string(body)
	m := regexp.MustCompile(`id="attribution"[^>]*data-verdict="([a-z_]+)"`).FindStringSubmatch(page)
	if m == nil {
		return "", nil, page
	}
	for _, c := range regexp.MustCompile(`<li class="[a-z]+" data-code="([a-z_]+)"`).FindAllStringSubmatch(page, -1) {
		codes = append(codes, c[1])
	}
	return m[1], codes, page
}

// TestBounceAttribution: the bounce page answers "was this sent by us?"
// with the detector's judgement: a hijack's bounce is ours, found in the
// send log and submitted with authentication at our relay; a backscatter
// bounce is not ours, its message having entered the mail system from a
// foreign client without authentication. The sentences come in the
// reader's language, the codes behind the details toggle, attacker text
// escaped.
func TestBounceAttribution(t *testing.T) {
	for _, c := range []struct {
		name      string
		mk        func(string) (*scenario.Scenario, error)
		verdict   string
		codes     []string
		sentences []string // English sentences (escaped as in the page)
		ja        []string
	}{
		{"hijack", scenario.Hijack, "ours",
			[]string{"message_id_in_log", "received_esmtpsa_our_relay"},
			[]string{"Yes: this message was most likely sent by us", "appears in our send log", "Message-ID &lt;"},
			[]string{"当社から送られたメールか", "は送信ログにあります", "はい:"}},
		{"spoof", scenario.Spoof, "not_ours",
			[]string{"received_unauthenticated_entry", "message_id_not_in_log", "received_not_our_relay"},
			[]string{"No: this message was most likely not sent by us", "without authentication", "nowhere near our relays"},
			[]string{"当社から送られたメールか", "いいえ:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixtureOf(t, c.mk)
			bs, err := f.st.SearchBounces(context.Background(), store.BounceSearch{BounceFilter: store.BounceFilter{Account: "shop@example.jp", Limit: 50}})
			if err != nil || len(bs) == 0 {
				t.Fatalf("no bounce of shop@example.jp: %v", err)
			}
			// The scenario has ordinary bounces too: take the newest
			// one judged as the scenario's kind, among its 50 newest.
			var (
				id    int64
				v     string
				codes []string
				page  string
				seen  = map[string]int{}
			)
			for _, b := range bs {
				v, codes, page = attribOf(t, f, b.ID)
				seen[v]++
				if v == c.verdict {
					id = b.ID
					break
				}
			}
			if id == 0 {
				t.Fatalf("no bounce judged %q among the newest: %v", c.verdict, seen)
			}
			for _, want := range c.codes {
				if !contains(codes, want) {
					t.Errorf("bounce %d: no item %s in %v", id, want, codes)
				}
			}
			for _, want := range c.sentences {
				if !strings.Contains(page, want) {
					t.Errorf("bounce %d: %q not in the page", id, want)
				}
			}
			if !strings.Contains(page, `id="attrib-codes"`) || !strings.Contains(page, "<code>"+c.codes[0]+"</code>") {
				t.Errorf("bounce %d: the codes are not behind the details toggle", id)
			}
			resp := f.bearerLang(t, "/bounces/"+itoa(id), "ja")
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range c.ja {
				if !strings.Contains(string(body), want) {
					t.Errorf("ja: %q not in the page", want)
				}
			}
		})
	}
}

// TestBounceAttributionHostile: a hostile bounce's page carries the
// attribution section and no markup of the attacker's.
func TestBounceAttributionHostile(t *testing.T) {
	f := newFixture(t)
	putHostile(t, f.st, "victim@example.net", f.sc.Now.Add(-time.Minute))
	if _, err := f.det.Pass(context.Background()); err != nil {
		t.Fatal(err)
	}
	bs, err := f.st.SearchBounces(context.Background(), store.BounceSearch{Text: "victim@example.net", BounceFilter: store.BounceFilter{Limit: 1}})
	if err != nil || len(bs) == 0 {
		t.Fatalf("hostile bounce not stored: %v", err)
	}
	v, _, page := attribOf(t, f, bs[0].ID)
	if v == "" {
		t.Fatalf("no attribution section")
	}
	if strings.Contains(page, "<script>window") || strings.Contains(page, "<img src=x") {
		t.Errorf("attacker markup in the page")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
