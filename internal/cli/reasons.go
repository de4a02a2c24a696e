package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/bouncewatch/bouncewatch/advice"
)

const reasonsHelp = `Usage: bouncewatch reasons [--lang ja|en] [--json]

Prints every bounce reason that decode reports: what it means, in plain
words, and what the sender should do.

Options:
`

func runReasons(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("reasons", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	lang := fs.String("lang", "", "language: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	asJSON := fs.Bool("json", false, "write the table as a JSON array")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reasonsHelp)
		fs.PrintDefaults()
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(env.Stderr, "bouncewatch reasons: unexpected argument %q\n", rest[0])
		return 2
	}
	l := advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if l, err = advice.ParseLang(*lang); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch reasons: %v\n", err)
			return 2
		}
	}
	entries := advice.All(l)
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch reasons: %v\n", err)
			return 1
		}
		return 0
	}
	for _, e := range entries {
		hard := "soft"
		if e.Hard {
			hard = "hard"
		}
		if l == advice.Japanese {
			hard = map[string]string{"hard": "再送しても届かない", "soft": "状況が変われば届く"}[hard]
		}
		fmt.Fprintf(env.Stdout, "%s — %s (%s)\n  %s\n  %s\n\n", e.Reason, e.Title, hard, e.Meaning, e.Action)
	}
	return 0
}
