package cli

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/bouncewatch/bouncewatch/backfill"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/store"
)

const importHelp = `Usage: bouncewatch import [--store DSN | --config FILE] [--mail PATH...] [--sendlog PATH...] [--dmarc PATH...] [--domain D...]

Backfills the store that 'bouncewatch serve' watches from files, so that
the detector has history from its first minute: bounces in every form
'decode' reads (message files, Maildirs, mbox, .gz), and mail logs in every
form 'scan' reads (Postfix, Exim, Sendmail, CSV counts; rotated and
compressed files; a directory stands for the mail logs in it). Log lines
are stored as they are and parsed by the detector.

DMARC aggregate reports (RFC 7489 appendix C and DMARCbis XML, bare or
.gz/.zip, or the report mails themselves) are taken from --dmarc folders
and files, and recognised among --mail messages too; each report is stored
once per reporting organisation and report ID, a malformed one with its
error. GET /api/v1/dmarc shows them per domain and day.

Each message is stored with the digest serve's detector keeps of it, made
for serve's configuration (--config: the file serve runs with; without it,
the defaults serve uses with flags: the local time zone, no relays, the
domains stored): serve's first start then reads the digests instead of
decoding every message again.

Running it twice stores nothing twice: a message is stored once per content
and per file position, a log line once per file position. A message the
decoder cannot read is stored with its error (see 'bouncewatch serve' and
GET /api/v1/stats); a file that cannot be read is reported and the import
goes on (exit status 1).

The store is a DSN: sqlite:PATH (default: $XDG_DATA_HOME/bouncewatch/
bouncewatch.db) or postgres://USER@HOST:PORT/DB (the password from
PGPASSWORD or ~/.pgpass, never on the command line).

Examples:
  bouncewatch import --mail ~/Maildir/.Bounces --sendlog /var/log/mail.log* --domain example.jp
  bouncewatch import --store sqlite:/var/lib/bouncewatch/bw.db --mail bounces.mbox.gz
  bouncewatch import --dmarc ~/dmarc-reports/

Options:
`

func runImport(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("import")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, importHelp, importHelpJa))
		printOptions(env.Stderr, fs, ml, withStoreDefault(importFlagsJa, store.DefaultDSN(env.Getenv)))
	}
	mail := &listFlag{}
	logs := &listFlag{}
	domains := &listFlag{split: true}
	fs.Var(mail, "mail", "bounces to import (repeatable)")
	fs.Var(logs, "sendlog", "outbound mail log to import (repeatable)")
	dmarcPaths := &listFlag{}
	fs.Var(dmarcPaths, "dmarc", "DMARC aggregate reports to import: files (.xml, .gz, .zip, report mails) or folders (repeatable)")
	fs.Var(domains, "domain", "our mail domain, remembered in the store for the detector (repeatable, or comma-separated)")
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	cfgPath := fs.String("config", "", "serve's configuration file: its store, and the domains, relays and time zone the messages' digests are made for")
	workers := fs.Int("workers", 4*runtime.GOMAXPROCS(0), "messages decoded and stored at once")
	lang := fs.String("lang", "", msgLangFlagEn)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "import", ml, err, help)
	}
	if code := badLang(env.Stderr, "import", ml, *lang); code != 0 {
		return code
	}
	paths := append(mail.vals, pos...)
	if len(paths) == 0 && len(logs.vals) == 0 && len(domains.vals) == 0 && len(dmarcPaths.vals) == 0 {
		say(env.Stderr, "import", ml, msgImportNothing)
		help()
		return 2
	}
	c := &serveConfig{}
	if *cfgPath != "" {
		if c, err = loadConfig(*cfgPath); err != nil {
			say(env.Stderr, "import", ml, msgPlain, err)
			return 2
		}
	}
	if *dsn == "" {
		*dsn = c.Store
	}
	if *dsn == "" {
		*dsn = store.DefaultDSN(env.Getenv)
	}
	logFiles, err := expandLogDirs(logs.vals)
	if err != nil {
		say(env.Stderr, "import", ml, msgImportSendlog, err)
		return 2
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		say(env.Stderr, "import", ml, msgPlain, err)
		return 1
	}
	defer st.Close()
	before, err := st.Stats(ctx)
	if err != nil {
		say(env.Stderr, "import", ml, msgPlain, err)
		return 1
	}
	if len(domains.vals) > 0 {
		if err := addDomains(ctx, st, domains.vals); err != nil {
			say(env.Stderr, "import", ml, msgPlain, err)
			return 1
		}
	}
	// Each message is stored with the digest serve's detector makes of it
	// (for serve's configuration: --config, or the defaults serve uses
	// with flags), so that serve's first start reads the digests instead
	// of decoding every message again.
	acfg, err := analysisConfig(ctx, c, env.Getenv, st)
	if err != nil {
		say(env.Stderr, "import", ml, msgPlain, err)
		return 2
	}
	detect.New(st, detect.Config{Analyzer: acfg})
	prog := newProgress(env.Stderr, env.StderrIsTerminal)
	status := 0
	report := func(err error) {
		if err == nil {
			return
		}
		status = 1
		for _, line := range strings.Split(err.Error(), "\n") {
			say(env.Stderr, "import", ml, msgPlain, line)
		}
	}
	if len(logFiles) > 0 {
		_, err := backfill.Logs(ctx, st, logFiles, func(p backfill.Progress) {
			prog.show(false, msgImportProgLog.in(ml), p.LogLines, float64(p.Bytes)/1e6)
		})
		report(err)
	}
	if len(paths) > 0 && ctx.Err() == nil {
		_, err := backfill.Mail(ctx, st, paths, backfill.Options{Workers: *workers, Progress: func(p backfill.Progress) {
			prog.show(false, msgImportProgMail.in(ml),
				p.Messages, p.Failed, float64(p.Bytes)/1e6, float64(p.Messages)/prog.elapsed())
		}})
		report(err)
	}
	if len(dmarcPaths.vals) > 0 && ctx.Err() == nil {
		n := importDMARC(ctx, st, dmarcPaths.vals, report, func(n dmarcImport) {
			prog.show(false, "dmarc: %d files, %d new reports   ", n.files, n.added)
		})
		prog.done()
		fmt.Fprintf(env.Stderr, "bouncewatch import: DMARC: %d files, %d new reports, %d already stored, %d not reports\n", n.files, n.added, n.known, n.notReport)
	}
	prog.done()
	after, err := st.Stats(ctx)
	if err != nil {
		say(env.Stderr, "import", ml, msgPlain, err)
		return 1
	}
	say(env.Stderr, "import", ml, msgImportSummary,
		after.Messages-before.Messages, after.Bounces-before.Bounces, after.Undecodable-before.Undecodable,
		after.LogLines-before.LogLines, st.Where(), after.Messages, after.LogLines)
	return status
}

// SettingDomains is the store setting holding our mail domains
// (comma-separated), which import --domain adds to and serve reads.
const settingDomains = "domains"

func addDomains(ctx context.Context, st *store.Store, add []string) error {
	cur, err := st.Setting(ctx, settingDomains)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	var out []string
	for _, d := range append(strings.Split(cur, ","), add...) {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && !have[d] {
			have[d] = true
			out = append(out, d)
		}
	}
	return st.SetSetting(ctx, settingDomains, strings.Join(out, ","))
}

func storedDomains(ctx context.Context, st *store.Store) ([]string, error) {
	cur, err := st.Setting(ctx, settingDomains)
	if err != nil || cur == "" {
		return nil, err
	}
	return strings.Split(cur, ","), nil
}
