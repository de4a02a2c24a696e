package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanNothingToJudge: with no bounce to judge, the JSON and HTML
// reports still come, overall insufficient_evidence, but say so plainly:
// "nothing_to_judge": true in JSON, the text output's words (what was
// read, what to collect) in HTML; a real bounce gives false and no such
// section.
func TestScanNothingToJudge(t *testing.T) {
	dir := t.TempDir()
	ex, err := os.ReadFile(filepath.Join(examplesDir, "01-postfix-user-unknown.eml"))
	if err != nil {
		t.Fatal(err)
	}
	good := writeFile(t, filepath.Join(dir, "mail", "good.eml"), ex)
	emptyDir := filepath.Join(dir, "empty")
	if err := os.MkdirAll(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	ordinary := writeFile(t, filepath.Join(dir, "ordinary", "hello.eml"), []byte("From: a@example.com\nTo: shop@example.jp\nSubject: hello\n\nhi\n"))

	tests := []struct {
		name    string
		format  string
		lang    string
		mail    string
		nothing bool
		want    []string // in the HTML
	}{
		{"json, empty folder", "json", "en", emptyDir, true, nil},
		{"json, ordinary mail only", "json", "ja", ordinary, true, nil},
		{"json, a bounce", "json", "en", good, false, nil},
		{"html, empty folder", "html", "en", emptyDir, true, []string{`id="nothing-to-judge"`, "Nothing to judge", "0 messages", "The bounces:", "send log", "bouncewatch scan --mail"}},
		{"html, ordinary mail, Japanese", "html", "ja", ordinary, true, []string{`id="nothing-to-judge"`, "判定できるものがありません", "バウンス以外 1 件", "送信ログ", "迷惑メールフォルダー"}},
		{"html, a bounce", "html", "en", good, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runScanCLI(t, nil, "", "--mail", tc.mail, "--format", tc.format, "--lang", tc.lang)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, errs)
			}
			if tc.format == "json" {
				var doc struct {
					Overall        string `json:"overall"`
					NothingToJudge *bool  `json:"nothing_to_judge"`
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out)
				}
				if doc.NothingToJudge == nil || *doc.NothingToJudge != tc.nothing {
					t.Errorf("nothing_to_judge = %v, want %v", doc.NothingToJudge, tc.nothing)
				}
				if tc.nothing && doc.Overall != "insufficient_evidence" {
					t.Errorf("overall %q, want insufficient_evidence", doc.Overall)
				}
				return
			}
			if !strings.HasPrefix(strings.TrimSpace(out), "<!DOCTYPE html>") {
				t.Fatalf("not an HTML report:\n%.300s", out)
			}
			if got := strings.Contains(out, `id="nothing-to-judge"`); got != tc.nothing {
				t.Errorf("nothing-to-judge section present: %v, want %v", got, tc.nothing)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("HTML lacks %q", w)
				}
			}
		})
	}
}
