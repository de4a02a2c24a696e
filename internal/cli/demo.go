package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/bouncewatch/bouncewatch/internal/scenario"
)

const demoHelp = `Usage: bouncewatch demo [--scenario NAME] [--keep DIR] [scan options]

Shows what scan does without any server or mailbox of your own: it writes a
built-in scenario — a mailbox of bounces in real formats and the matching
Postfix (or Exim) log of a small shop's mail server — into a temporary
directory and scans it. Scan options (--format, -o, --lang, --sensitivity,
...) are passed on.

Scenarios:
%s
Examples:
  bouncewatch demo                              # the hijacked account
  bouncewatch demo --scenario spoof --lang ja
  bouncewatch demo --scenario mixed --format html -o demo.html
  bouncewatch demo --keep /tmp/demo             # keep the files to try scan on them

Options:
`

const demoHelpJa = `使い方: bouncewatch demo [--scenario 名前] [--keep ディレクトリ] [scan のオプション]

自分のサーバーやメールボックスがなくても scan の動きを確かめられます。組み込みの
シナリオ — 実際の形式のバウンスが入ったメールボックスと、小さな店舗のメール
サーバーの Postfix（または Exim）のログ — を一時ディレクトリに書き出して scan
します。scan のオプション（--format、-o、--lang、--sensitivity など）はそのまま
scan に渡します。

シナリオ:
%s
例:
  bouncewatch demo                              # 乗っ取られたアカウント
  bouncewatch demo --scenario spoof --lang ja
  bouncewatch demo --scenario mixed --format html -o demo.html
  bouncewatch demo --keep /tmp/demo             # ファイルを残して scan を試す

オプション:
`

var demoFlagsJa = map[string]string{
	"scenario": "scan するシナリオ",
	"keep":     "シナリオをこのディレクトリに書き出して残す",
}

var (
	msgNoScenario = msg{"no scenario %q; there are:", "%q というシナリオはありません。次のものがあります:"}
	msgDemoWrite  = msg{"writing the scenario: %v", "シナリオを書き出せませんでした: %v"}
	msgDemoKept   = msg{"the files stay in %s; the same scan: bouncewatch scan %s", "ファイルは %s に残ります。同じ scan: bouncewatch scan %s"}
)

func runDemo(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("demo")
	name := fs.String("scenario", "hijack", "the scenario to scan")
	keep := fs.String("keep", "", "write the scenario into this directory and keep it")
	var list strings.Builder
	for _, d := range scenario.All() {
		fmt.Fprintf(&list, "  %s\n", d.Name)
	}
	help := func() {
		fmt.Fprintf(env.Stderr, helpText(ml, demoHelp, demoHelpJa), list.String())
		printOptions(env.Stderr, fs, ml, demoFlagsJa)
	}
	// The demo's own flags come first; everything else goes to scan.
	var own, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		key := strings.TrimLeft(a, "-")
		key, _, hasValue := strings.Cut(key, "=")
		switch {
		case a == "-h" || a == "--help" || a == "-help":
			help()
			return 0
		case strings.HasPrefix(a, "-") && (key == "scenario" || key == "keep"):
			own = append(own, a)
			if !hasValue && i+1 < len(args) {
				own = append(own, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	if err := fs.Parse(own); err != nil {
		return flagFail(env.Stderr, "demo", ml, err, help)
	}
	var mk func(string) (*scenario.Scenario, error)
	for _, d := range scenario.All() {
		if d.Name == *name {
			mk = d.Make
		}
	}
	if mk == nil {
		say(env.Stderr, "demo", ml, msgNoScenario, *name)
		fmt.Fprint(env.Stderr, list.String())
		return 2
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "bouncewatch-demo-")
		if err != nil {
			say(env.Stderr, "demo", ml, msgPlain, err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		say(env.Stderr, "demo", ml, msgPlain, err)
		return 1
	}
	sc, err := mk(dir)
	if err != nil {
		say(env.Stderr, "demo", ml, msgDemoWrite, err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "bouncewatch demo: %s — %s\n", sc.Name, sc.About)
	scanArgs := []string{"--tz", sc.Location.String()}
	for _, m := range sc.Mail {
		scanArgs = append(scanArgs, "--mail", m)
	}
	for _, l := range sc.SendLogs {
		scanArgs = append(scanArgs, "--sendlog", l)
	}
	if *keep != "" {
		say(env.Stderr, "demo", ml, msgDemoKept, dir, strings.Join(scanArgs, " "))
	}
	return runScan(ctx, append(scanArgs, rest...), env)
}
