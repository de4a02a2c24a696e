package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/internal/scenario"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

func writeFile(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

const syslogLines = `Nov  2 02:14:07 mail postfix/smtpd[1234]: 4B2C81A0042: client=unknown[198.51.100.7], sasl_method=LOGIN, sasl_username=shop@example.jp
Nov  2 02:14:07 mail postfix/cleanup[1240]: 4B2C81A0042: message-id=<20261102021407.4B2C81A0042@mail.example.jp>
Nov  2 02:14:08 mail postfix/qmgr[900]: 4B2C81A0042: from=<shop@example.jp>, size=1520, nrcpt=1 (queue active)
`

// controlFree reports output free of terminal controls: no C0 or C1
// control other than line ends and tabs, no DEL, valid UTF-8.
func controlFree(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && termtext.Unsafe(r) {
			return false
		}
	}
	return true
}

// TestScanRefusals: what scan refuses before reading anything (exit
// status 2, one line naming the path, no report at all), and what it says
// when there is nothing to judge.
func TestScanRefusals(t *testing.T) {
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
	binLog := writeFile(t, filepath.Join(dir, "logs", "binary.log"), append([]byte("\x1b]0;pwned\x07\x1b[2J"), randomBytes(8000, 1)...))
	binGz := writeFile(t, filepath.Join(dir, "logs", "binary.log.1.gz"), gzipped(t, randomBytes(8000, 2)))
	journal := writeFile(t, filepath.Join(dir, "logs", "system.journal"), append([]byte("LPKSHHRH\x00\x00\x00\x00"), randomBytes(4000, 3)...))
	rotated := writeFile(t, filepath.Join(dir, "logs", "mail.log.1"), []byte(syslogLines))
	rotatedGz := writeFile(t, filepath.Join(dir, "logs", "mail.log.2.gz"), gzipped(t, []byte(syslogLines)))
	isoLog := writeFile(t, filepath.Join(dir, "logs", "maillog"), []byte(strings.ReplaceAll(syslogLines, "Nov  2 02:14:0", "2026-11-02T02:14:0")))
	exim := writeFile(t, filepath.Join(dir, "logs", "mainlog"), []byte("2026-11-02 02:14:07 1vAbCd-000123-Xy <= shop@example.jp H=(pc) [198.51.100.7] P=esmtpsa A=dovecot_login:shop@example.jp S=1520\n"))
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}

	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr []string // all must be in standard error
		stdout []string // all must be in standard output; nil: it must be empty
		lines  int      // lines on stderr of a refusal: one per path refused (0 means 1)
	}{
		{name: "since after until", args: []string{"--mail", good, "--since", "2026-11-05", "--until", "2026-11-01", "--tz", "Asia/Tokyo"},
			code: 2, stderr: []string{"--since (2026-11-05 00:00 JST) is later than --until (2026-11-01 00:00 JST)"}},
		{name: "since equal to until", args: []string{"--mail", good, "--since", "2026-11-05 10:00", "--until", "2026-11-05 10:00"},
			code: 2, stderr: []string{"is later than --until"}},
		{name: "since after until, Japanese", env: ja, args: []string{"--mail", good, "--since", "2026-11-05", "--until", "2026-11-01"},
			code: 2, stderr: []string{"より後になっています"}},
		{name: "missing mail path", args: []string{"--mail", filepath.Join(dir, "no-such-dir")},
			code: 2, stderr: []string{"--mail " + filepath.Join(dir, "no-such-dir") + ": no such file or directory"}},
		{name: "missing positional path beside a good one", args: []string{good, filepath.Join(dir, "typo.eml")},
			code: 2, stderr: []string{filepath.Join(dir, "typo.eml") + ": no such file or directory"}},
		{name: "missing mail path, Japanese", env: ja, args: []string{"--mail", filepath.Join(dir, "nope")},
			code: 2, stderr: []string{"そのようなファイルやディレクトリはありません"}},
		{name: "missing send log", args: []string{"--mail", good, "--sendlog", filepath.Join(dir, "nope.log")},
			code: 2, stderr: []string{"--sendlog " + filepath.Join(dir, "nope.log") + ": no such file or directory"}},
		{name: "pattern matching nothing", args: []string{"--mail", good, "--sendlog", filepath.Join(dir, "logs", "exim*")},
			code: 2, stderr: []string{"no file matches this pattern"}},
		{name: "binary send log", args: []string{"--mail", good, "--sendlog", binLog},
			code: 2, stderr: []string{"--sendlog " + binLog + " is not a mail log", "binary, not text"}},
		{name: "compressed binary send log", args: []string{"--mail", good, "--sendlog", binGz},
			code: 2, stderr: []string{"is not a mail log"}},
		{name: "journal file as send log", args: []string{"--mail", good, "--sendlog", journal},
			code: 2, stderr: []string{"journalctl -o short-iso"}},
		{name: "binary send log, Japanese", env: ja, args: []string{"--mail", good, "--sendlog", binLog},
			code: 2, stderr: []string{"メールのログではありません"}},
		{name: "rotated log given as mail", args: []string{"--mail", rotated},
			code: 2, stderr: []string{"--mail " + rotated + " looks like a mail server's log", "give it with --sendlog"}},
		{name: "compressed rotated log given as mail", args: []string{rotatedGz},
			code: 2, stderr: []string{"give it with --sendlog"}},
		{name: "an unquoted pattern the shell expanded", args: []string{"--mail", good, "--sendlog", isoLog, rotated, rotatedGz},
			code: 2, stderr: []string{"give it with --sendlog", "quote it: --sendlog '/var/log/mail.log*'"}, lines: 2},
		{name: "ISO-stamped log given as mail", args: []string{"--mail", isoLog},
			code: 2, stderr: []string{"give it with --sendlog"}},
		{name: "Exim mainlog given as mail", args: []string{"--mail", exim},
			code: 2, stderr: []string{"give it with --sendlog"}},
		{name: "rotated log given as mail, Japanese", env: ja, args: []string{"--mail", rotated},
			code: 2, stderr: []string{"--sendlog で指定してください"}},
		{name: "empty input", args: []string{"--mail", emptyDir, "--lang", "en"},
			code: 0, stderr: []string{"nothing to judge"},
			stdout: []string{"Nothing to judge", "0 messages", "The bounces:", "send log", "bouncewatch scan --mail"}},
		{name: "ordinary mail only", args: []string{"--mail", ordinary, "--lang", "en"},
			code: 0, stderr: []string{"nothing to judge"},
			stdout: []string{"Nothing to judge", "1 messages, 1 not bounces", "Collect:"}},
		{name: "empty input, Japanese", env: ja, args: []string{"--mail", emptyDir},
			code: 0, stderr: []string{"判定できるものがありません"},
			stdout: []string{"判定できるものがありません", "バウンス:", "送信ログ"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runScanCLI(t, tc.env, "", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errs)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if tc.stdout == nil && out != "" {
				t.Errorf("a report was written:\n%s", out)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if want := max(tc.lines, 1); tc.code == 2 && strings.Count(strings.TrimSpace(errs), "\n")+1 != want {
				t.Errorf("want %d line(s) on stderr, got:\n%s", want, errs)
			}
			if strings.Contains(out, "Verdicts by account") || strings.Contains(out, "アカウント別の判定") {
				t.Errorf("a report of zeros:\n%s", out)
			}
			if !controlFree(out) || !controlFree(errs) {
				t.Errorf("terminal controls in the output: %q / %q", out, errs)
			}
		})
	}
}

// TestScanLogDirSkipsBinary: in a directory given as --sendlog, a binary
// file with a mail log's name is skipped with a warning, and the logs
// beside it are read.
func TestScanLogDirSkipsBinary(t *testing.T) {
	dir := t.TempDir()
	real, err := os.ReadFile(postfixLog)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "mail.log"), real)
	writeFile(t, filepath.Join(dir, "maillog.db"), randomBytes(5000, 9))
	code, out, errs := runScanCLI(t, nil, "", "--mail", examplesDir, "--sendlog", dir, "--format", "json", "--tz", "Asia/Tokyo")
	if code != 0 || !strings.Contains(errs, "skipped: --sendlog "+filepath.Join(dir, "maillog.db")+" is not a mail log") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Inputs struct {
			Log struct{ Files int } `json:"log"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Inputs.Log.Files != 1 {
		t.Errorf("%v: %+v", err, doc.Inputs)
	}
}

// TestScanNothingJSON: with nothing to judge, --format json still writes
// its one document (scripts read it), and says so on stderr.
func TestScanNothingJSON(t *testing.T) {
	code, out, errs := runScanCLI(t, nil, "", "--mail", t.TempDir(), "--format", "json")
	if code != 0 || !strings.Contains(errs, "nothing to judge") {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	var doc struct {
		Overall string `json:"overall"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Overall != "insufficient_evidence" {
		t.Errorf("document %v %+v:\n%s", err, doc, out)
	}
}

// TestExpandPaths: quoted patterns are expanded by scan itself, a log's
// rotations oldest first, mail in name order; existing paths are taken as
// they are, even with pattern characters in their names.
func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"mail.log", "mail.log.1", "mail.log.2.gz", "mail.log.3.gz", "mail.log.10.gz", "mail.err", "b.eml", "a.eml", "c[1].eml"} {
		writeFile(t, filepath.Join(dir, n), []byte("x\n"))
	}
	base := func(ps []string) string {
		var out []string
		for _, p := range ps {
			out = append(out, filepath.Base(p))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name    string
		paths   []string
		rotated bool
		want    string
		errs    int
	}{
		{"log rotations oldest first", []string{filepath.Join(dir, "mail.log*")}, true, "mail.log.10.gz mail.log.3.gz mail.log.2.gz mail.log.1 mail.log", 0},
		{"question mark", []string{filepath.Join(dir, "mail.log.?")}, true, "mail.log.1", 0},
		{"mail in name order", []string{filepath.Join(dir, "*.eml")}, false, "a.eml b.eml c[1].eml", 0},
		{"existing name with pattern characters", []string{filepath.Join(dir, "c[1].eml")}, false, "c[1].eml", 0},
		{"standard input and a plain path", []string{"-", filepath.Join(dir, "mail.err")}, false, "- mail.err", 0},
		{"no match and a missing file", []string{filepath.Join(dir, "*.mbox"), filepath.Join(dir, "x.eml")}, false, "", 2},
		{"malformed pattern", []string{filepath.Join(dir, "[")}, false, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, errs := expandPaths("--sendlog", tc.paths, tc.rotated)
			if base(got) != tc.want || len(errs) != tc.errs {
				t.Errorf("got %q with %d errors %v, want %q with %d", base(got), len(errs), errs, tc.want, tc.errs)
			}
		})
	}
}

// TestScanSendlogGlob: a quoted pattern given to --sendlog reads every
// rotation.
func TestScanSendlogGlob(t *testing.T) {
	dir := t.TempDir()
	real, err := os.ReadFile(postfixLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(real), "\n")
	half := len(lines) / 2
	writeFile(t, filepath.Join(dir, "mail.log.1.gz"), gzipped(t, []byte(strings.Join(lines[:half], ""))))
	writeFile(t, filepath.Join(dir, "mail.log"), []byte(strings.Join(lines[half:], "")))
	code, out, errs := runScanCLI(t, nil, "", "--mail", examplesDir, "--sendlog", filepath.Join(dir, "mail.log*"), "--format", "json", "--tz", "Asia/Tokyo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Inputs struct {
			Log struct{ Files, Lines int } `json:"log"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Inputs.Log.Files != 2 || doc.Inputs.Log.Lines < len(lines)-2 {
		t.Errorf("read %+v, want 2 files and %d lines", doc.Inputs.Log, len(lines))
	}
}

func TestBinaryShare(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		binary bool
	}{
		{"postfix lines", []byte(syslogLines), false},
		{"Japanese UTF-8", []byte(strings.Repeat("Nov  2 02:14:07 mail postfix/cleanup[1]: X: warning: header Subject: 新茶のご案内\n", 50)), false},
		{"a Latin-1 subject among lines", []byte(strings.Repeat(syslogLines, 5) + "Nov  2 02:14:09 mail postfix/cleanup[1]: X: warning: header Subject: caf\xe9\n"), false},
		{"a character cut at the end", []byte(syslogLines + "新"[:2]), false},
		{"random bytes", randomBytes(4096, 7), true},
		{"NULs", make([]byte, 1024), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := binaryShare(tc.in) >= maxBinaryShare; got != tc.binary {
				t.Errorf("binary share %.3f: binary %v, want %v", binaryShare(tc.in), got, tc.binary)
			}
		})
	}
}

func TestCheckMailFile(t *testing.T) {
	dir := t.TempDir()
	ex, err := os.ReadFile(filepath.Join(examplesDir, "01-postfix-user-unknown.eml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		log  bool
	}{
		{"a message", ex, false},
		{"an mbox", append([]byte("From MAILER-DAEMON Mon Nov  2 02:14:07 2026\n"), ex...), false},
		{"a gzipped message", gzipped(t, ex), false},
		{"an empty file", nil, false},
		{"syslog lines", []byte(syslogLines), true},
		{"gzipped syslog lines", gzipped(t, []byte(syslogLines)), true},
		{"RFC 5424 lines", []byte("<22>1 2026-11-02T02:14:07.120+09:00 mail postfix/smtpd 1234 - - connect from x[1.2.3.4]\n"), true},
		{"a message whose body quotes a log", append([]byte("From: a@example.com\nSubject: log\n\n"), []byte(syslogLines[:200])...), false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, strings.Repeat("x", i+1)), tc.data)
			if got := checkMailFile(p) != nil; got != tc.log {
				t.Errorf("taken for a log: %v, want %v", got, tc.log)
			}
		})
	}
}

// TestHelpJapanese: --lang ja or a Japanese locale gives each command's
// help, the list of commands and the flag errors in Japanese; LC_ALL
// decides over LANG, as in POSIX.
func TestHelpJapanese(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{"scan --help --lang ja", nil, []string{"scan", "--help", "--lang", "ja"}, 0, "使い方: bouncewatch scan"},
		{"scan flags in Japanese", nil, []string{"scan", "--lang=ja", "-h"}, 0, "読み込むバウンス（繰り返し可）"},
		{"scan help under LANG", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"scan", "--help"}, 0, "終了ステータス"},
		{"LC_ALL over LANG", map[string]string{"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, []string{"scan", "--help"}, 0, "Usage: bouncewatch scan"},
		{"LC_MESSAGES", map[string]string{"LC_MESSAGES": "ja_JP.eucJP"}, []string{"reasons", "--help"}, 0, "使い方: bouncewatch reasons"},
		{"check-domain", nil, []string{"check-domain", "--lang", "ja", "--help"}, 0, "確認する内容"},
		{"passgen", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"passgen", "-h"}, 0, "見間違えやすい文字"},
		{"demo", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"demo", "--help"}, 0, "シナリオ:"},
		{"command list", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"help"}, 0, "大量のバウンスを診断する"},
		{"unknown command", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"frobnicate"}, 2, "\"frobnicate\" というコマンドはありません"},
		{"unknown flag", nil, []string{"scan", "--lang", "ja", "--bogus"}, 2, "-bogus というオプションはありません"},
		{"flag without value", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"scan", "--mail"}, 2, "オプション -mail には値が必要です"},
		{"bad value", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"passgen", "--count", "many"}, 2, "オプション -count の値 \"many\" は正しくありません"},
		{"no mail", map[string]string{"LANG": "ja_JP.UTF-8"}, []string{"scan"}, 2, "バウンスが指定されていません"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return tc.env[k] }}
			code := Main(t.Context(), tc.args, e)
			all := out.String() + errb.String()
			if code != tc.code || !strings.Contains(all, tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s", code, tc.code, tc.want, all)
			}
		})
	}
}

// TestFlagsJapanese: every flag of the commands with a Japanese help has
// a Japanese description (a flag added later without one shows up here).
func TestFlagsJapanese(t *testing.T) {
	for _, tc := range []struct {
		cmd string
		ja  map[string]string
	}{{"scan", scanFlagsJa}, {"reasons", reasonsFlagsJa}, {"check-domain", checkDomainFlagsJa}, {"passgen", passgenFlagsJa},
		{"decode", decodeFlagsJa}, {"serve", serveFlagsJa}, {"import", importFlagsJa}, {"suppressions", suppressionsFlagsJa}, {"reprocess", reprocessFlagsJa}} {
		t.Run(tc.cmd, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			if code := Main(t.Context(), []string{tc.cmd, "--help"}, e); code != 0 {
				t.Fatalf("exit %d", code)
			}
			for _, l := range strings.Split(errb.String(), "\n") {
				if !strings.HasPrefix(l, "  -") || strings.HasPrefix(l, "  --") {
					continue
				}
				name, _, _ := strings.Cut(strings.TrimPrefix(l, "  -"), " ")
				if tc.ja[strings.TrimSpace(name)] == "" {
					t.Errorf("flag -%s has no Japanese description", name)
				}
			}
		})
	}
}

// columnsAligned checks that in each line the given cells start at the
// same display column (East Asian Wide characters count two).
func columnsAligned(t *testing.T, lines []string, cells [][]string) {
	t.Helper()
	starts := make([]int, len(cells[0]))
	for i := range starts {
		starts[i] = -1
	}
	for n, line := range lines {
		off := 0
		for i, c := range cells[n] {
			j := strings.Index(line[off:], c)
			if j < 0 {
				t.Fatalf("line %q lacks %q", line, c)
			}
			col := termtext.Width(line[:off+j])
			if starts[i] >= 0 && col != starts[i] {
				t.Errorf("line %q: cell %q at column %d, want %d", line, c, col, starts[i])
			}
			starts[i] = col
			off += j + len(c)
		}
	}
}

// TestTablesAligned: the reasons table, check-domain's proposals and the
// list of commands keep their columns aligned by display width, in
// Japanese and with wide characters in the cells.
func TestTablesAligned(t *testing.T) {
	t.Run("reasons, Japanese", func(t *testing.T) {
		var b bytes.Buffer
		entries := advice.All(advice.Japanese)
		writeReasons(&b, entries, advice.Japanese)
		var lines []string
		var cells [][]string
		for _, l := range strings.Split(b.String(), "\n") {
			if l == "" || strings.HasPrefix(l, " ") {
				continue
			}
			lines = append(lines, l)
		}
		if len(lines) != len(entries)+1 {
			t.Fatalf("%d table lines for %d reasons", len(lines), len(entries))
		}
		cells = append(cells, []string{"理由", "再送", "内容"})
		for _, e := range entries {
			hard := "状況が変われば届く"
			if e.Hard {
				hard = "再送しても届かない"
			}
			cells = append(cells, []string{string(e.Reason), hard, e.Title})
		}
		columnsAligned(t, lines, cells)
	})
	t.Run("check-domain proposals with an internationalised name", func(t *testing.T) {
		rep := &domaincheck.Report{Domain: "例え.jp", Proposals: []domaincheck.Record{
			{Name: "例え.jp", Type: "TXT", Value: "v=spf1 mx -all"},
			{Name: "_dmarc.例え.jp", Type: "TXT", Value: "v=DMARC1; p=quarantine"},
			{Name: "s1._domainkey.例え.jp", Type: "CNAME", Value: "s1.dkim.example.net"},
		}}
		var b bytes.Buffer
		writeDomainReport(&b, rep, "ja")
		var lines []string
		var cells [][]string
		for _, l := range strings.Split(b.String(), "\n") {
			for _, p := range rep.Proposals {
				if strings.HasPrefix(l, "  "+p.Name+" ") {
					lines = append(lines, l)
					cells = append(cells, []string{p.Name, p.Type, `"` + p.Value})
				}
			}
		}
		if len(lines) != 3 {
			t.Fatalf("proposal lines %q:\n%s", lines, b.String())
		}
		columnsAligned(t, lines, cells)
	})
	t.Run("commands", func(t *testing.T) {
		var b bytes.Buffer
		usage(&b, advice.Japanese)
		var lines []string
		var cells [][]string
		for _, c := range commands() {
			for _, l := range strings.Split(b.String(), "\n") {
				if strings.HasPrefix(l, "  "+c.name+" ") {
					lines = append(lines, l)
					cells = append(cells, []string{c.name, commandSummariesJa[c.name]})
				}
			}
		}
		if len(lines) != len(commands()) {
			t.Fatalf("command lines %q", lines)
		}
		columnsAligned(t, lines, cells)
	})
}

// TestScanFakesJSON: the hijack with fake notices of every kind mixed in,
// through the command: every fake counted, each sample saying why in both
// languages with stable codes, and the verdict still hijacked.
func TestScanFakesJSON(t *testing.T) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if code := Main(t.Context(), []string{"demo", "--scenario", "hijack-fakes", "--format", "json"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var doc struct {
		Verdicts []struct{ Account, Verdict string } `json:"verdicts"`
		Fakes    int                                 `json:"fake_bounces"`
		Samples  []struct {
			Subject, From, Source string
			Reasons               []string `json:"reasons"`
			ReasonsJa             []string `json:"reasons_ja"`
			Codes                 []string `json:"codes"`
		} `json:"fake_bounce_samples"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if want := 3 * scenario.FakeKinds; doc.Fakes != want || len(doc.Samples) == 0 {
		t.Errorf("fake_bounces %d with %d samples, want %d", doc.Fakes, len(doc.Samples), want)
	}
	for _, s := range doc.Samples {
		if s.Subject == "" || s.From == "" || s.Source == "" || len(s.Reasons) == 0 ||
			len(s.Reasons) != len(s.ReasonsJa) || len(s.Codes) != len(s.Reasons) || strings.Contains(s.Subject, "=?") {
			t.Errorf("sample %+v", s)
		}
	}
	if len(doc.Verdicts) == 0 || doc.Verdicts[0].Account != "shop@example.jp" || doc.Verdicts[0].Verdict != "hijacked" {
		t.Errorf("verdicts %+v", doc.Verdicts)
	}
}

// FuzzSniff: the checks that look at the start of a file before scan
// reads it never panic, and the binary share stays a share.
func FuzzSniff(f *testing.F) {
	f.Add([]byte(syslogLines))
	f.Add(randomBytes(512, 5))
	f.Add([]byte("From: a@b\n\nbody\n"))
	f.Add([]byte("新"[:2]))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s := binaryShare(b); s < 0 || s > 1 {
			t.Fatalf("binary share %v", s)
		}
		for _, l := range strings.Split(string(b), "\n") {
			_ = logLine.MatchString(l)
		}
	})
}
