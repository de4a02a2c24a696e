// Package cli implements the bouncewatch command line: one file per
// subcommand, each parsing its flags and calling the packages that do the
// work.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

// Version is the program's version, set at build time with
// -ldflags "-X github.com/bouncewatch/bouncewatch/internal/cli.Version=...".
var Version = "dev"

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StderrIsTerminal asks for a live progress line on long runs.
	StderrIsTerminal bool
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env Env) int
}

func commands() []command {
	return []command{
		{"decode", "decode bounce messages into facts (table or JSON Lines)", runDecode},
		{"scan", "diagnose a bounce flood: hijacked account, spoofed sender, or ordinary bounces", runScan},
		{"demo", "run scan on a built-in scenario (a hijacked shop account, a spoofed one, ...)", runDemo},
		{"reasons", "explain every bounce reason and what to do, in Japanese or English", runReasons},
		{"serve", "watch the bounce mailbox and the mail log live: incidents, alerts, JSON API (--demo to try it)", runServe},
		{"import", "backfill the serve store from bounce files and mail logs (twice stores nothing twice)", runImport},
		{"suppressions", "list the hard-bounced recipients per sending account from the store (CSV or JSON)", runSuppressions},
		{"reprocess", "decode the stored raw messages again after a decoder upgrade", runReprocess},
		{"policy", "Postfix policy service: defer the mail of hijacked or blocked accounts, rate windows", runPolicy},
		{"block", "hold an account at the mail server until it is released (--list: what is held)", runBlock},
		{"release", "let a held account send again", runRelease},
		{"check-domain", "check SPF, DMARC, DKIM and MX live and propose the records to publish", runCheckDomain},
		{"passgen", "make a strong random password (crypto/rand) for a mail account", runPassgen},
		{"version", "print the version", runVersion},
	}
}

const usageHead = `bouncewatch: make sense of a flood of MAILER-DAEMON messages.

Usage:
  bouncewatch <command> [options] [arguments]

Commands:
`

const usageHeadJa = `bouncewatch: 大量に届いた MAILER-DAEMON（配信エラー）の意味を調べます。

使い方:
  bouncewatch <コマンド> [オプション] [引数]

コマンド:
`

// commandSummariesJa are the commands' summaries in Japanese, by name (a
// command not listed shows its English one).
var commandSummariesJa = map[string]string{
	"decode":       "バウンスを事実に分解する（表または JSON Lines）",
	"scan":         "大量のバウンスを診断する: アカウントの乗っ取りか、アドレスのなりすましか、通常のエラーか",
	"demo":         "組み込みのシナリオ（乗っ取られた店舗のアカウント、なりすまし…）で scan を試す",
	"reasons":      "バウンスの理由ごとに意味と対処を日本語か英語で説明する",
	"serve":        "バウンスの受信箱と送信ログを常時監視する: インシデント、通知、JSON API（--demo で試せます）",
	"import":       "バウンスのファイルと送信ログを serve のストアに取り込む（二度取り込んでも重複しない）",
	"suppressions": "送信アカウントごとに、恒久的エラーになった宛先の一覧をストアから出す（CSV / JSON）",
	"reprocess":    "デコーダーの更新後、保存済みの元メッセージをデコードし直す",
	"policy":       "Postfix のポリシーサービス: 乗っ取られた・止めたアカウントの送信を保留し、送信量の上限を見る",
	"block":        "アカウントの送信をメールサーバーで止める（解除まで。--list で一覧）",
	"release":      "止めたアカウントの送信を再開させる",
	"check-domain": "SPF・DMARC・DKIM・MX をその場で確認し、登録すべきレコードを提案する",
	"passgen":      "メールアカウント用の強いパスワードを作る（crypto/rand）",
	"version":      "バージョンを表示する",
}

// Main runs the command line and returns the process exit code: 0 on
// success, 1 when some input failed, 2 on a usage error.
func Main(ctx context.Context, args []string, env Env) int {
	l := langOf(args, env.Getenv)
	if len(args) == 0 {
		usage(env.Stderr, l)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			return Main(ctx, append([]string{args[1], "--help"}, args[2:]...), env)
		}
		usage(env.Stdout, l)
		return 0
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], env)
		}
	}
	say(env.Stderr, "", l, msgUnknownCommand, name)
	fmt.Fprintln(env.Stderr)
	usage(env.Stderr, l)
	return 2
}

func usage(w io.Writer, l advice.Lang) {
	fmt.Fprint(w, helpText(l, usageHead, usageHeadJa))
	cmds := commands()
	width := 0
	for _, c := range cmds {
		width = max(width, termtext.Width(c.name))
	}
	for _, c := range cmds {
		sum := c.summary
		if l == advice.Japanese && commandSummariesJa[c.name] != "" {
			sum = commandSummariesJa[c.name]
		}
		fmt.Fprintf(w, "  %s  %s\n", termtext.Pad(c.name, width), sum)
	}
	fmt.Fprintf(w, "\n%s\n", msgSeeMainHelp.in(l))
}

// parseInterleaved parses flags that may stand before, between or after
// the positional arguments ("decode dir/ --json"). "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError reports whether err came from parsing flags (already printed
// by the flag set) and gives the exit code.
func flagError(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

func runVersion(_ context.Context, args []string, env Env) int {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
		fmt.Fprintf(env.Stdout, "bouncewatch %s (%s)\n", v, strings.TrimPrefix(bi.GoVersion, "go"))
		return 0
	}
	fmt.Fprintf(env.Stdout, "bouncewatch %s\n", v)
	return 0
}
