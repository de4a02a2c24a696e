package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func post(t *testing.T, srv *httptest.Server, path, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDMARCAPI(t *testing.T) {
	srv, st := setup(t)
	for _, n := range []string{"google.xml", "microsoft.xml"} {
		b, err := os.ReadFile("../dmarcrpt/testdata/" + n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.PutDMARC(context.Background(), n, b); err != nil {
			t.Fatal(err)
		}
	}
	status, body := get(t, srv, "/api/v1/dmarc?domain=example.jp&from=2024-10-10T00:00:00Z&to=2024-10-12T00:00:00Z", token)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var got struct {
		Days []struct {
			Messages, Forged int64
			ForgedIPs        int `json:"forged_ips"`
			Sources          []struct {
				IP    string `json:"source_ip"`
				Class string
			}
		}
		Forgeries []struct {
			Org      string
			Messages int64
		}
		Reports []struct{ Org string }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Days) != 1 || got.Days[0].Messages != 42448 || got.Days[0].ForgedIPs != 3 || len(got.Reports) != 2 || got.Forgeries[0].Messages != 41200 {
		t.Fatalf("%s", body)
	}
	// Without relays configured our relay is a third party (it passes).
	if !strings.Contains(body, `"source_ip":"203.0.113.10","class":"third_party"`) {
		t.Errorf("relay class: %s", body)
	}
	if status, _ := get(t, srv, "/api/v1/dmarc", token); status != 400 {
		t.Errorf("no domain: %d", status)
	}
}

func TestHoldsAPI(t *testing.T) {
	srv, st := setup(t)
	// setup's open hijacked incident holds shop@example.jp.
	status, body := get(t, srv, "/api/v1/holds", token)
	if status != 200 || !strings.Contains(body, `"account":"shop@example.jp"`) || !strings.Contains(body, `"verdict":"hijacked"`) {
		t.Fatalf("holds: %d %s", status, body)
	}
	if status, _ := post(t, srv, "/api/v1/accounts/shop@example.jp/release", ""); status != 401 {
		t.Errorf("release without token: %d", status)
	}
	if status, body := post(t, srv, "/api/v1/accounts/shop@example.jp/release", token); status != 200 || !strings.Contains(body, `"released":true`) {
		t.Fatalf("release: %d %s", status, body)
	}
	if _, body := get(t, srv, "/api/v1/holds", token); !strings.Contains(body, `"holds":[]`) {
		t.Errorf("after release: %s", body)
	}
	if status, body := post(t, srv, "/api/v1/accounts/sales@example.jp/block?reason=phished", token); status != 200 || !strings.Contains(body, `"blocked":true`) {
		t.Fatalf("block: %d %s", status, body)
	}
	if _, body := get(t, srv, "/api/v1/holds", token); !strings.Contains(body, `"reason":"phished"`) {
		t.Errorf("after block: %s", body)
	}
	if err := st.NoteDeferrals(context.Background(), "sales@example.jp", 4, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, m := get(t, srv, "/metrics", "")
	for _, w := range []string{"bouncewatch_accounts_held 1", `bouncewatch_policy_deferred_today{account="sales@example.jp"} 4`, "bouncewatch_dmarc_reports 0"} {
		if !strings.Contains(m, w) {
			t.Errorf("metrics lack %s", w)
		}
	}
}

func TestBlocklistsAPI(t *testing.T) {
	srv, st := setup(t)
	res := []map[string]any{{"target": "192.0.2.25", "zone": "zen.test", "listed": true, "delist": "https://delist.zen.test/"}}
	if err := st.SaveBlocklistCheck(context.Background(), 1, time.Now(), 1, res, []string{"192.0.2.25 is listed on zen.test"}); err != nil {
		t.Fatal(err)
	}
	status, body := get(t, srv, "/api/v1/incidents/1/blocklists", token)
	if status != 200 || !strings.Contains(body, `"listed":1`) || !strings.Contains(body, `"delist":"https://delist.zen.test/"`) {
		t.Fatalf("%d %s", status, body)
	}
	if _, body := get(t, srv, "/api/v1/incidents/1", token); !strings.Contains(body, `"change":"blocklists"`) {
		t.Errorf("timeline lacks the check: %s", body)
	}
	if status, _ := get(t, srv, "/api/v1/incidents/x/blocklists", token); status != 400 {
		t.Errorf("bad id: %d", status)
	}
}
