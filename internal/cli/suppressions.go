package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/store"
)

const suppressionsHelp = `Usage: bouncewatch suppressions [--store DSN] [--format csv|json] [--account A]

Lists, from the store that 'bouncewatch serve' and 'bouncewatch import'
fill, the recipients that hard-bounced (user or host unknown, moved, null
MX: sending again can never succeed) per sending account, with the reason
of the last hard bounce, the first and last bounce and their count — the
list to remove from a customer list before the next mailing.

The store is a DSN: sqlite:PATH or postgres://… (the password from
PGPASSWORD or ~/.pgpass, never on the command line).

Examples:
  bouncewatch suppressions --account shop@example.jp > remove.csv
  bouncewatch suppressions --format json | jq -r '.recipient'

Options:
`

func runSuppressions(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("suppressions")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, suppressionsHelp, suppressionsHelpJa))
		printOptions(env.Stderr, fs, ml, withStoreDefault(suppressionsFlagsJa, store.DefaultDSN(env.Getenv)))
	}
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	format := fs.String("format", "csv", "csv (with a header line) or json (JSON Lines)")
	account := fs.String("account", "", "only this sending account (the address bounces were returned to)")
	lang := fs.String("lang", "", msgLangFlagEn)
	if err := fs.Parse(args); err != nil {
		return flagFail(env.Stderr, "suppressions", ml, err, help)
	}
	if code := badLang(env.Stderr, "suppressions", ml, *lang); code != 0 {
		return code
	}
	if fs.NArg() > 0 {
		say(env.Stderr, "suppressions", ml, msgUnexpectedArg, fs.Arg(0))
		fmt.Fprintln(env.Stderr, fmt.Sprintf(msgSeeHelp.in(ml), "suppressions"))
		return 2
	}
	if *format != "csv" && *format != "json" {
		say(env.Stderr, "suppressions", ml, msgSuppBadFormat, *format)
		return 2
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		say(env.Stderr, "suppressions", ml, msgPlain, err)
		return 1
	}
	defer st.Close()
	list, err := st.Suppressions(ctx, *account)
	if err != nil {
		say(env.Stderr, "suppressions", ml, msgPlain, err)
		return 1
	}
	w := bufio.NewWriter(env.Stdout)
	if *format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, s := range list {
			enc.Encode(s)
		}
	} else {
		cw := csv.NewWriter(w)
		cw.Write([]string{"account", "recipient", "reason", "first_bounce", "last_bounce", "count"})
		for _, s := range list {
			cw.Write([]string{s.Account, s.Recipient, s.Reason, s.First.Format(time.RFC3339), s.Last.Format(time.RFC3339), fmt.Sprint(s.Count)})
		}
		cw.Flush()
	}
	if err := w.Flush(); err != nil {
		say(env.Stderr, "suppressions", ml, msgPlain, err)
		return 1
	}
	say(env.Stderr, "suppressions", ml, msgSuppSummary, len(list))
	return 0
}
