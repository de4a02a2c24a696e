package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/bouncewatch/bouncewatch/store"
)

const reprocessHelp = `Usage: bouncewatch reprocess [--store DSN]

Decodes every message kept in the store again from its raw form (kept
compressed for this) and replaces its facts and bounce rows: after an
upgrade of bouncewatch, bounces it could not read, or read less well, get
the new decoder's answer. Messages whose raw form retention has removed keep
their facts. The running service picks the changes up at its next start.

Options:
`

func runReprocess(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("reprocess", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reprocessHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch reprocess: %v\n", err)
		return 1
	}
	defer st.Close()
	prog := newProgress(env.Stderr, env.StderrIsTerminal)
	n, err := st.Reprocess(ctx, func(done int) { prog.show(false, "%d messages decoded again   ", done) })
	prog.done()
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch reprocess: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "bouncewatch reprocess: %d messages changed\n", n)
	return 0
}
