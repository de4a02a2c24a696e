package cli

import (
	"context"
	"flag"
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

func runDemo(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	name := fs.String("scenario", "hijack", "the scenario to scan")
	keep := fs.String("keep", "", "write the scenario into this directory and keep it")
	var list strings.Builder
	for _, d := range scenario.All() {
		fmt.Fprintf(&list, "  %s\n", d.Name)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), demoHelp, list.String())
		fs.PrintDefaults()
	}
	// The demo's own flags come first; everything else goes to scan.
	var own, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		key := strings.TrimLeft(a, "-")
		key, _, hasValue := strings.Cut(key, "=")
		switch {
		case a == "-h" || a == "--help" || a == "-help":
			fs.Usage()
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
		return flagError(err)
	}
	var mk func(string) (*scenario.Scenario, error)
	for _, d := range scenario.All() {
		if d.Name == *name {
			mk = d.Make
		}
	}
	if mk == nil {
		fmt.Fprintf(env.Stderr, "bouncewatch demo: no scenario %q; there are:\n%s", *name, list.String())
		return 2
	}
	dir := *keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "bouncewatch-demo-")
		if err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch demo: %v\n", err)
			return 1
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch demo: %v\n", err)
		return 1
	}
	sc, err := mk(dir)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch demo: writing the scenario: %v\n", err)
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
		fmt.Fprintf(env.Stderr, "bouncewatch demo: the files stay in %s; the same scan: bouncewatch scan %s\n", dir, strings.Join(scanArgs, " "))
	}
	return runScan(ctx, append(scanArgs, rest...), env)
}
