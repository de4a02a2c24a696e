package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os/user"
	"sort"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/policy"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const policyHelp = `Usage: bouncewatch policy [--store DSN] --listen 127.0.0.1:PORT|unix:PATH [options]

A Postfix policy delegation service (SMTPD_POLICY_README) that stops a
hijacked account at your mail server while its owner changes the password:

  - an account the detector holds hijacked (an open incident) or that an
    admin blocked ('bouncewatch block') gets DEFER_IF_PERMIT (or --action
    HOLD / REJECT) with a text telling the user to change the password;
  - each SASL user and sender address is counted in rate windows
    (messages, first-time recipients, login networks); passing a limit
    blocks the account and opens an incident before the bounces return;
  - everything else: DUNNO.

It fails open: when the store does not answer within --budget, the holds
read last stay in force for --stale, then every answer is DUNNO (logged).
Configure Postfix to fail open too:

  smtpd_recipient_restrictions =
      check_policy_service { inet:127.0.0.1:10040, timeout=2s, default_action=DUNNO },
      permit_sasl_authenticated, permit_mynetworks, reject_unauth_destination

Examples:
  bouncewatch policy --store sqlite:/var/lib/bouncewatch/bw.db --listen 127.0.0.1:10040
  bouncewatch policy --listen unix:/var/spool/postfix/private/bouncewatch --lang ja

Options:
`

// policyFlags are the options 'policy' and serve's [policy] share.
type policyFlags struct {
	listen, action, lang                      string
	budget, refresh, stale, window            time.Duration
	maxMessages, maxNewRecipients, maxNetwork int
	autoRelease                               bool
}

func (p *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.listen, "listen", "", "where to listen: 127.0.0.1:PORT or unix:PATH")
	fs.StringVar(&p.action, "action", "DEFER_IF_PERMIT", "what a held account's mail gets: DEFER_IF_PERMIT, HOLD or REJECT")
	fs.StringVar(&p.lang, "lang", "en", "language of the text the user sees: en or ja")
	fs.DurationVar(&p.budget, "budget", 100*time.Millisecond, "how long the store may take to answer")
	fs.DurationVar(&p.refresh, "refresh", time.Second, "how often the holds are read from the store")
	fs.DurationVar(&p.stale, "stale", 10*time.Second, "answer DUNNO when the holds could not be read for this long")
	fs.DurationVar(&p.window, "window", 24*time.Hour, "span of the rate windows")
	fs.IntVar(&p.maxMessages, "max-messages", 1000, "messages per SASL user or sender per window (-1: no limit)")
	fs.IntVar(&p.maxNewRecipients, "max-new-recipients", 200, "first-time recipients per SASL user or sender per window (-1: no limit)")
	fs.IntVar(&p.maxNetwork, "max-networks", 10, "distinct login networks (/24, /48) per SASL user per window (-1: no limit)")
	fs.BoolVar(&p.autoRelease, "auto-release", false, "release an account held by an incident when it logs in from a network it used before the incident")
}

func (p *policyFlags) config() (policy.Config, error) {
	if err := policy.CheckAction(p.action); err != nil {
		return policy.Config{}, err
	}
	lang := advice.English
	switch strings.ToLower(p.lang) {
	case "ja", "japanese":
		lang = advice.Japanese
	case "en", "english", "":
	default:
		return policy.Config{}, fmt.Errorf("--lang %q: want en or ja", p.lang)
	}
	return policy.Config{Action: p.action, Lang: lang, Budget: p.budget, Refresh: p.refresh, Stale: p.stale, Window: p.window,
		MaxMessages: p.maxMessages, MaxNewRecipients: p.maxNewRecipients, MaxNetworks: p.maxNetwork, AutoRelease: p.autoRelease}, nil
}

func runPolicy(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("policy", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	metrics := fs.String("metrics", "", "serve Prometheus /metrics (decisions, fail-open answers, rate trips) on this loopback address, e.g. 127.0.0.1:9154")
	var pf policyFlags
	pf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), policyHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if pf.listen == "" {
		fmt.Fprintln(env.Stderr, "bouncewatch policy: --listen is required (127.0.0.1:PORT or unix:PATH)")
		return 2
	}
	cfg, err := pf.config()
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch policy: %v\n", err)
		return 2
	}
	log, err := newLogger(env.Stderr, *logFormat, "info")
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch policy: %v\n", err)
		return 2
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch policy: %v\n", err)
		return 1
	}
	defer st.Close()
	ln, err := policy.Listen(pf.listen)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch policy: %v\n", err)
		return 1
	}
	cfg.Log = log
	var mln net.Listener
	if *metrics != "" {
		reg := prometheus.NewRegistry()
		cfg.Registerer = reg
		if mln, err = net.Listen("tcp", *metrics); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch policy: --metrics: %v\n", err)
			return 1
		}
		msrv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
	}
	svc := policy.New(st, cfg)
	go svc.Run(ctx)
	log.Info("policy service listening", "listen", ln.Addr().String(), "store", st.Where(), "action", cfg.Action)
	if err := svc.Serve(ctx, ln); err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch policy: %v\n", err)
		return 1
	}
	return 0
}

const blockHelp = `Usage: bouncewatch block [--store DSN] [--reason TEXT] ACCOUNT...
       bouncewatch block [--store DSN] --list [--json]

Holds an account at the mail server: 'bouncewatch policy' (or serve's
policy service) defers its mail with a text asking the user to change the
password, until 'bouncewatch release ACCOUNT'. ACCOUNT is the SASL login
or the sender address, as Postfix sees it. --list shows what is held now
(blocks, and accounts open hijacked incidents hold) with the deferrals.

Examples:
  bouncewatch block --reason "phished on 2 Nov" shop@example.jp
  bouncewatch block --list

Options:
`

func runBlock(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("block", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	reason := fs.String("reason", "blocked by an administrator", "why (shown in block --list, the API and the dashboard)")
	list := fs.Bool("list", false, "list the held accounts instead")
	asJSON := fs.Bool("json", false, "with --list: JSON")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), blockHelp)
		fs.PrintDefaults()
	}
	accts, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(accts) == 0 && !*list {
		fmt.Fprintln(env.Stderr, "bouncewatch block: name the account to block (or --list)")
		fs.Usage()
		return 2
	}
	st, code := openStore(ctx, "block", *dsn, env)
	if st == nil {
		return code
	}
	defer st.Close()
	if *list {
		return listHolds(ctx, st, *asJSON, env)
	}
	by := "admin"
	if u, err := user.Current(); err == nil {
		by = "admin " + u.Username
	}
	for _, a := range accts {
		if err := st.BlockAccount(ctx, a, *reason, by, time.Now()); err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch block: %v\n", err)
			return 1
		}
		fmt.Fprintf(env.Stdout, "blocked %s: its mail is deferred until 'bouncewatch release %s'\n", strings.ToLower(a), strings.ToLower(a))
	}
	return 0
}

const releaseHelp = `Usage: bouncewatch release [--store DSN] ACCOUNT...

Lets a held account send again: lifts its block and the hold of the
incidents opened before now (a later incident holds it again). Do it once
the password is changed and the account's devices are clean.

Options:
`

func runRelease(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), releaseHelp)
		fs.PrintDefaults()
	}
	accts, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(accts) == 0 {
		fmt.Fprintln(env.Stderr, "bouncewatch release: name the account to release")
		fs.Usage()
		return 2
	}
	st, code := openStore(ctx, "release", *dsn, env)
	if st == nil {
		return code
	}
	defer st.Close()
	by := "admin"
	if u, err := user.Current(); err == nil {
		by = "admin " + u.Username
	}
	for _, a := range accts {
		held, err := st.ReleaseAccount(ctx, a, by, time.Now())
		if err != nil {
			fmt.Fprintf(env.Stderr, "bouncewatch release: %v\n", err)
			return 1
		}
		if held {
			fmt.Fprintf(env.Stdout, "released %s\n", strings.ToLower(a))
		} else {
			fmt.Fprintf(env.Stdout, "%s was not held (nothing to release)\n", strings.ToLower(a))
		}
	}
	return 0
}

func openStore(ctx context.Context, cmd, dsn string, env Env) (*store.Store, int) {
	if dsn == "" {
		dsn = store.DefaultDSN(env.Getenv)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch %s: %v\n", cmd, err)
		return nil, 1
	}
	return st, 0
}

func listHolds(ctx context.Context, st *store.Store, asJSON bool, env Env) int {
	holds, err := st.Holds(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch block: %v\n", err)
		return 1
	}
	defs, err := st.Deferrals(ctx, "", time.Now().Add(-7*24*time.Hour))
	if err != nil {
		fmt.Fprintf(env.Stderr, "bouncewatch block: %v\n", err)
		return 1
	}
	deferred := map[string]int64{}
	for _, d := range defs {
		deferred[d.Account] += d.Count
	}
	keys := make([]string, 0, len(holds))
	for k := range holds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, k := range keys {
			_ = enc.Encode(struct {
				store.Hold
				Deferred7d int64 `json:"deferred_7d"`
			}{holds[k], deferred[k]})
		}
		return 0
	}
	if len(keys) == 0 {
		fmt.Fprintln(env.Stdout, "no account is held")
	}
	for _, k := range keys {
		h := holds[k]
		why := ""
		if h.Block != nil {
			why = fmt.Sprintf("blocked %s by %s: %s", h.Block.BlockedAt.Local().Format("2006-01-02 15:04"), h.Block.By, h.Block.Reason)
		} else if h.Incident != nil {
			why = fmt.Sprintf("incident %d (%s since %s)", h.Incident.ID, h.Incident.Verdict, h.Incident.OpenedAt.Local().Format("2006-01-02 15:04"))
		}
		fmt.Fprintf(env.Stdout, "%s\t%s\t%d deferred in 7 days\n", k, why, deferred[k])
	}
	return 0
}
