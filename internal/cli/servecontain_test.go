package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncewatch/bouncewatch/domaincheck/dnstest"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

// TestServeContainment: serve with [policy] and [blocklists] from a
// config file; once the hijack incident opens, the policy service defers
// the account, the blocklist check is in the incident, the metrics count
// the decisions.
func TestServeContainment(t *testing.T) {
	sc, err := scenario.Hijack(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dns := dnstest.Start(t, `
25.2.0.192.zen.test. 300 IN A 127.0.0.2
zen.test. 300 IN SOA ns.test. h.test. 1 3600 600 86400 60
`, ".")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	policyAddr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "bouncewatch.toml")
	cfg := fmt.Sprintf(`listen = "127.0.0.1:0"
store = "sqlite:%s"
tz = %q
lang = "en"
domains = ["example.jp"]
relays = ["192.0.2.25"]

[detect]
interval = "1s"
close_after = "24h"

[[maildir]]
path = %q

[[logfile]]
path = %q

[policy]
listen = %q
action = "HOLD"

[blocklists]
resolver = %q
zones = [{ zone = "zen.test", kind = "ip", delist = "https://delist.zen.test/" }]
`, filepath.Join(dir, "bw.db"), sc.Location.String(), sc.Mail[0], sc.SendLogs[0], policyAddr, dns.Addr)
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	env := Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string {
		if k == "BOUNCEWATCH_API_TOKEN" {
			return "tok"
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log, _ := newLogger(io.Discard, "text", "")
	svc, code := newService(ctx, c, env, log, func() time.Time { return sc.Now }, nil)
	if svc == nil {
		t.Fatalf("newService: %d", code)
	}
	done := make(chan int)
	go func() { done <- svc.run(ctx) }()
	api := func(path string) string {
		req, _ := http.NewRequest("GET", "http://"+svc.ln.Addr().String()+path, nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(api("/api/v1/holds"), `"account":"shop@example.jp"`) {
		if time.Now().After(deadline) {
			t.Fatal("the hijacked account was not held within 90 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	ask := func(user string) string {
		conn, err := net.Dial("tcp", policyAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=%s\nsender=%s\nrecipient=a@example.com\nclient_address=192.0.2.9\n\n", user, user)
		line, _ := bufio.NewReader(conn).ReadString('\n')
		return line
	}
	deadline = time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(ask("shop@example.jp"), "action=HOLD 4.7.1 ") {
		if time.Now().After(deadline) {
			t.Fatalf("policy answer for the hijacked account: %q", ask("shop@example.jp"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got := ask("other@example.jp"); got != "action=DUNNO\n" {
		t.Errorf("another account: %q", got)
	}
	deadline = time.Now().Add(30 * time.Second)
	for !strings.Contains(api("/api/v1/incidents/1/blocklists"), `"listed":1`) {
		if time.Now().After(deadline) {
			t.Fatalf("no blocklist check: %s", api("/api/v1/incidents/1/blocklists"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	resp, err := http.Get("http://" + svc.ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(m), `bouncewatch_policy_decisions_total{action="hold"}`) {
		t.Errorf("metrics lack the policy decisions")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
