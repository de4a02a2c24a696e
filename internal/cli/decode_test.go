package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
	return out.String(), errb.String(), code
}

// hostileDSN is a bounce whose recipient, diagnostic and subject carry
// terminal escapes: an OSC 8 link, a colour sequence, BEL and NUL.
func hostileDSN(rcpt string) string {
	return "From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered \x1b]8;;http://evil.example/\x07click\x1b]8;;\x07\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n" +
		"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n" +
		"Final-Recipient: rfc822; " + rcpt + "\nAction: failed\nStatus: 5.1.1\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 \x1b[31mred\x1b[0m \x1b]8;;http://evil.example/" + strings.Repeat("x", 40) + "\x07link\x1b]8;;\x07 bell\x07 nul\x00 end\n\n--B--\n"
}

// TestDecodeTableSafe: no escape from a message reaches the terminal, whole
// or cut in half (issue 7 §6), in any cell: recipient, diagnostic, subject,
// file name.
func TestDecodeTableSafe(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.eml": hostileDSN("user@example.com"),
		"b-\x1b]8;;https:evil.example\x07name.eml": "From: someone@example.com\nSubject: hello \x1b[2J\x07\n\nordinary mail\n",
		"c.eml": hostileDSN("a\x1b[8m@example.com"), // not an address: dropped, said on stderr
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []string{"en", "ja"} {
		out, errs, _ := runCLI(t, "decode", "--all", "--lang", lang, dir)
		for _, s := range []struct{ name, text string }{{"stdout", out}, {"stderr", errs}} {
			for _, bad := range []string{"\x1b", "\x07", "\x00", "\u009b"} {
				if strings.Contains(s.text, bad) {
					t.Errorf("%s: %s holds %q:\n%q", lang, s.name, bad, s.text)
				}
			}
		}
		for _, want := range []string{"user@example.com", "5.1.1", "(not a bounce)", "/b-\ufffd]8;;https:evil"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: table lacks %q:\n%s", lang, want, out)
			}
		}
		warning := map[string]string{"en": "warning: dropped recipient", "ja": "警告: dropped recipient"}[lang]
		if !strings.Contains(errs, warning) || !strings.Contains(errs, "not an address") {
			t.Errorf("%s: stderr does not say the recipient was dropped:\n%s", lang, errs)
		}
	}
}

// TestDecodeTableAligned: columns line up in terminal columns, Japanese
// header included, and every line is cut within its column.
func TestDecodeTableAligned(t *testing.T) {
	var b bytes.Buffer
	tw := newTableWriter(&b, advice.Japanese, false)
	for i, rcpt := range []string{"a@example.jp", "ユーザー@例え.jp", strings.Repeat("long", 30) + "@example.jp"} {
		res := &bounce.Result{Kind: bounce.KindBounce, Records: []bounce.Record{{Recipient: rcpt, Reason: "userunknown", Status: "5.1.1", DiagnosticCode: fmt.Sprint("550 ", i)}}}
		if err := tw.write(decoded{source: "x", res: res}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	// The reason column starts at the same terminal column on every line.
	col := -1
	for _, l := range lines[1:] {
		i := strings.Index(l, "userunknown")
		c := termtext.Width(l[:i])
		if col >= 0 && c != col {
			t.Errorf("reason at column %d, not %d:\n%s", c, col, b.String())
		}
		col = c
	}
	if i := strings.Index(lines[0], "理由"); termtext.Width(lines[0][:i]) != col {
		t.Errorf("header's reason at column %d, not %d:\n%s", termtext.Width(lines[0][:i]), col, b.String())
	}
	if !strings.Contains(lines[3], "…") {
		t.Errorf("long recipient not cut: %q", lines[3])
	}
}

// TestDecodeTableStreams: the table is written a batch at a time, not held
// to the end (issue 7 §6: 409 MB for 439,000 rows).
func TestDecodeTableStreams(t *testing.T) {
	var b bytes.Buffer
	tw := newTableWriter(&b, advice.English, false)
	res := &bounce.Result{Kind: bounce.KindBounce, Records: []bounce.Record{{Recipient: "a@example.jp", Reason: "userunknown"}}}
	for i := range 10 * tableBatch {
		if err := tw.write(decoded{source: "x", res: res}); err != nil {
			t.Fatal(err)
		}
		if len(tw.rows) > tableBatch {
			t.Fatalf("%d rows held after %d records", len(tw.rows), i+1)
		}
	}
	if n := strings.Count(b.String(), "\n"); n < 9*tableBatch {
		t.Fatalf("only %d lines written before the end of the run", n)
	}
	tw.flush()
	if n := strings.Count(b.String(), "\n"); n != 10*tableBatch+1 {
		t.Fatalf("%d lines in all, want %d", n, 10*tableBatch+1)
	}
}

// TestDecodeWarnsOfCuts: past a decoder limit, standard error names the
// message and says what was not read.
func TestDecodeWarnsOfCuts(t *testing.T) {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@mx.example.jp\nSubject: Undelivered Mail Returned to Sender\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n")
	for i := range 1100 {
		fmt.Fprintf(&b, "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"+
			"Final-Recipient: rfc822; user%d@example.com\nAction: failed\nStatus: 5.1.1\n\n", i)
	}
	b.WriteString("--B--\n")
	path := filepath.Join(t.TempDir(), "many-parts.eml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCLI(t, "decode", "--json", path)
	if code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !strings.Contains(errs, path+": warning: read in part: more than 1000 MIME parts") || !strings.Contains(errs, "0 failed, 1 warnings") {
		t.Errorf("stderr:\n%s", errs)
	}
	if !strings.Contains(out, "read in part: more than 1000 MIME parts") {
		t.Error("the records' evidence does not say it")
	}
}
