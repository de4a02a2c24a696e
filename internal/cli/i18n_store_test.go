package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bouncewatch/bouncewatch/advice"
)

// TestHelpJapaneseStore: decode, serve, import, suppressions and
// reprocess teach in Japanese under --lang ja or a Japanese locale, and
// in English under LC_ALL=C; their flag errors and usage errors are said
// in the same language.
func TestHelpJapaneseStore(t *testing.T) {
	ja := map[string]string{"LANG": "ja_JP.UTF-8"}
	c := map[string]string{"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"decode help under LANG", ja, []string{"decode", "--help"}, 0, []string{"使い方: bouncewatch decode", "宛先ごとに", "例:", "同時にデコードするメッセージの数"}},
		{"decode help --lang ja", nil, []string{"decode", "-h", "--lang", "ja"}, 0, []string{"使い方: bouncewatch decode", "JSON Lines で書き出す"}},
		{"decode help LC_ALL=C", c, []string{"decode", "--help"}, 0, []string{"Usage: bouncewatch decode", "Examples:", "messages decoded at once"}},
		{"decode no path", ja, []string{"decode"}, 2, []string{"パスが指定されていません"}},
		{"decode unknown flag", nil, []string{"decode", "--lang=ja", "--bogus"}, 2, []string{"-bogus というオプションはありません", "'bouncewatch decode --help'"}},
		{"decode bad workers", ja, []string{"decode", "--workers", "many", "x"}, 2, []string{"オプション -workers の値 \"many\" は正しくありません"}},
		{"decode bad lang", nil, []string{"decode", "--lang", "fr", "x"}, 2, []string{"--lang"}},
		{"decode summary", ja, []string{"decode", "-"}, 0, []string{"メッセージ 0 件: バウンス 0 件"}},
		{"decode summary LC_ALL=C", c, []string{"decode", "-"}, 0, []string{"0 messages: 0 bounces"}},

		{"serve help under LANG", ja, []string{"serve", "--help"}, 0, []string{"使い方: bouncewatch serve", "コマンドラインに書きません", "BOUNCEWATCH_IMAP_PASSWORD_FILE", "監視する Maildir", "（既定値 sqlite:"}},
		{"serve help --lang ja", nil, []string{"serve", "--lang", "ja", "-h"}, 0, []string{"組み込みのシナリオ"}},
		{"serve help LC_ALL=C", c, []string{"serve", "--help"}, 0, []string{"Usage: bouncewatch serve", "Secrets never go on the command line", "a Maildir to watch"}},
		{"serve flag without value", ja, []string{"serve", "--maildir"}, 2, []string{"オプション -maildir には値が必要です"}},
		{"serve stray argument", ja, []string{"serve", "/home/shop/Maildir"}, 2, []string{"余分な引数 \"/home/shop/Maildir\" があります"}},
		{"serve demo no scenario", ja, []string{"serve", "--demo", "--scenario", "nope"}, 2, []string{"\"nope\" というシナリオはありません"}},
		{"serve demo speed", ja, []string{"serve", "--demo", "--speed", "0"}, 2, []string{"--speed は正の数にしてください"}},

		{"import help under LANG", ja, []string{"import", "--help"}, 0, []string{"使い方: bouncewatch import", "二度実行しても", "PGPASSWORD", "取り込むバウンス（繰り返し可）"}},
		{"import help --lang ja", nil, []string{"import", "--lang", "ja", "--help"}, 0, []string{"使い方: bouncewatch import"}},
		{"import help LC_ALL=C", c, []string{"import", "--help"}, 0, []string{"Usage: bouncewatch import", "bounces to import"}},
		{"import nothing", ja, []string{"import"}, 2, []string{"取り込むものが指定されていません", "使い方: bouncewatch import"}},
		{"import unknown flag", ja, []string{"import", "--maildir", "x"}, 2, []string{"-maildir というオプションはありません"}},

		{"suppressions help under LANG", ja, []string{"suppressions", "--help"}, 0, []string{"使い方: bouncewatch suppressions", "顧客リストから外す", "csv（見出し行付き）"}},
		{"suppressions help LC_ALL=C", c, []string{"suppressions", "--help"}, 0, []string{"Usage: bouncewatch suppressions", "hard-bounced"}},
		{"suppressions bad format", ja, []string{"suppressions", "--format", "xml"}, 2, []string{"--format は csv か json です（\"xml\" は使えません）"}},
		{"suppressions stray argument", ja, []string{"suppressions", "shop@example.jp"}, 2, []string{"余分な引数"}},

		{"reprocess help under LANG", ja, []string{"reprocess", "--help"}, 0, []string{"使い方: bouncewatch reprocess", "デコードし直し", "例:"}},
		{"reprocess help LC_ALL=C", c, []string{"reprocess", "--help"}, 0, []string{"Usage: bouncewatch reprocess", "Examples:"}},
		{"reprocess unknown flag", ja, []string{"reprocess", "--all"}, 2, []string{"-all というオプションはありません"}},

		{"command list", ja, []string{"help"}, 0, []string{"ストアに取り込む", "デコードし直す"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return tc.env[k] }}
			code := Main(t.Context(), tc.args, e)
			all := out.String() + errb.String()
			if code != tc.code {
				t.Errorf("exit %d, want %d:\n%s", code, tc.code, all)
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			if tc.env["LC_ALL"] == "C" && strings.ContainsAny(all, "使方例") {
				t.Errorf("Japanese under LC_ALL=C:\n%s", all)
			}
		})
	}
}

// TestStoreCommandsJapanese: import, suppressions and reprocess on a real
// (SQLite) store say their progress and summary lines in Japanese.
func TestStoreCommandsJapanese(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "bw.db")
	ja := func(string) string { return "" }
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		e := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: ja}
		if code := Main(t.Context(), args, e); code != 0 {
			t.Fatalf("%v: exit %d:\n%s%s", args, code, out.String(), errb.String())
		}
		return errb.String()
	}
	if got := run("import", "--lang", "ja", "--store", dsn, "--domain", "example.jp"); !strings.Contains(got, "新しいメッセージ 0 件") {
		t.Errorf("import summary not in Japanese:\n%s", got)
	}
	if got := run("suppressions", "--lang", "ja", "--store", dsn); !strings.Contains(got, "宛先 0 件") {
		t.Errorf("suppressions summary not in Japanese:\n%s", got)
	}
	if got := run("reprocess", "--lang=ja", "--store", dsn); !strings.Contains(got, "0 件のメッセージが変わりました") {
		t.Errorf("reprocess summary not in Japanese:\n%s", got)
	}
	if got := run("reprocess", "--store", dsn); !strings.Contains(got, "0 messages changed") {
		t.Errorf("reprocess summary not in English:\n%s", got)
	}
}

// TestDemoChangeJapanese: the live demo names an incident's change in
// Japanese, and keeps a change it has no name for as stored.
func TestDemoChangeJapanese(t *testing.T) {
	for _, tc := range []struct{ lang, change, want string }{
		{"ja", "opened", "発生"}, {"ja", "closed", "終了"}, {"ja", "updated", "更新"},
		{"en", "opened", "opened"}, {"ja", "merged", "merged"},
	} {
		if got := changeIn(advice.Lang(tc.lang), tc.change); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.lang, tc.change, got, tc.want)
		}
	}
}
