package cli

import (
	"context"
	"fmt"

	"github.com/bouncewatch/bouncewatch/store"
)

const reprocessHelp = `Usage: bouncewatch reprocess [--store DSN]

Decodes every message kept in the store again from its raw form (kept
compressed for this) and replaces its facts and bounce rows: after an
upgrade of bouncewatch, bounces it could not read, or read less well, get
the new decoder's answer. Messages whose raw form retention has removed keep
their facts. The running service picks the changes up at its next start.

Examples:
  bouncewatch reprocess
  bouncewatch reprocess --store sqlite:/var/lib/bouncewatch/bw.db

The store is a DSN: sqlite:PATH or postgres://… (the password from
PGPASSWORD or ~/.pgpass, never on the command line).

Options:
`

func runReprocess(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("reprocess")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, reprocessHelp, reprocessHelpJa))
		printOptions(env.Stderr, fs, ml, withStoreDefault(reprocessFlagsJa, store.DefaultDSN(env.Getenv)))
	}
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	lang := fs.String("lang", "", msgLangFlagEn)
	if err := fs.Parse(args); err != nil {
		return flagFail(env.Stderr, "reprocess", ml, err, help)
	}
	if code := badLang(env.Stderr, "reprocess", ml, *lang); code != 0 {
		return code
	}
	if fs.NArg() > 0 {
		say(env.Stderr, "reprocess", ml, msgUnexpectedArg, fs.Arg(0))
		fmt.Fprintln(env.Stderr, fmt.Sprintf(msgSeeHelp.in(ml), "reprocess"))
		return 2
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		say(env.Stderr, "reprocess", ml, msgPlain, err)
		return 1
	}
	defer st.Close()
	prog := newProgress(env.Stderr, env.StderrIsTerminal)
	n, err := st.Reprocess(ctx, func(done int) { prog.show(false, msgReprocessProg.in(ml), done) })
	prog.done()
	if err != nil {
		say(env.Stderr, "reprocess", ml, msgPlain, err)
		return 1
	}
	say(env.Stderr, "reprocess", ml, msgReprocessSummary, n)
	return 0
}
