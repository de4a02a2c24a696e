package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
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

Examples:
  bouncewatch suppressions --account shop@example.jp > remove.csv
  bouncewatch suppressions --format json | jq -r '.recipient'

Options:
`

func runSuppressions(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("suppressions", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	format := fs.String("format", "csv", "csv (with a header line) or json (JSON Lines)")
	account := fs.String("account", "", "only this sending account (the address bounces were returned to)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), suppressionsHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if *format != "csv" && *format != "json" {
		fmt.Fprintf(env.Stderr, "bouncewatch suppressions: --format must be csv or json, not %q\n", *format)
		return 2
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch suppressions: %v\n", err)
		return 1
	}
	defer st.Close()
	list, err := st.Suppressions(ctx, *account)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch suppressions: %v\n", err)
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
		fmt.Fprintf(env.Stderr, "bouncewatch suppressions: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.Stderr, "bouncewatch suppressions: %d recipients\n", len(list))
	return 0
}
