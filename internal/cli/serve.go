package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/alert"
	"github.com/bouncewatch/bouncewatch/api"
	"github.com/bouncewatch/bouncewatch/detect"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/dnsbl"
	"github.com/bouncewatch/bouncewatch/ingest"
	"github.com/bouncewatch/bouncewatch/policy"
	"github.com/bouncewatch/bouncewatch/store"
	"github.com/bouncewatch/bouncewatch/surge"
	"github.com/bouncewatch/bouncewatch/web"
)

const serveHelp = `Usage: bouncewatch serve [--config bouncewatch.toml] [options]
       bouncewatch serve --demo

Watches the bounce mailbox and the mail log live, keeps every message and
log line in the store, runs the scan's analysis as they arrive, and opens an
incident (verdict, confidence, evidence, onset) when an account is hijacked
or its address spoofed; alerts go to webhooks and email; a JSON API serves
the incidents, accounts, bounces and series, and the dashboard shows them
in the browser at the --listen address (log in with the API token, or a
[dashboard] user of the config).

The common cases work with flags alone:
  bouncewatch serve --store sqlite:/var/lib/bouncewatch/bw.db \
      --maildir /home/shop/Maildir --sendlog /var/log/mail.log --domain example.jp \
      --listen 127.0.0.1:8025 --webhook https://hooks.example/…

  bouncewatch serve --demo      # a built-in scenario streamed live, no server of your own

Secrets never go on the command line: the API token comes from
BOUNCEWATCH_API_TOKEN_FILE or BOUNCEWATCH_API_TOKEN (else one is made and
kept in the file 'api-token' beside the store); an --imap account's password
from BOUNCEWATCH_IMAP_PASSWORD_FILE or BOUNCEWATCH_IMAP_PASSWORD; the SMTP
relay's and the webhooks' secrets from the files or variables the config
names. The README has a config for each source and a systemd unit.

SIGTERM or Ctrl-C stops it gracefully: sources stop, pending writes commit,
the HTTP server drains.

Options:
`

func runServe(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("serve")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, serveHelp, serveHelpJa))
		printOptions(env.Stderr, fs, ml, withStoreDefault(serveFlagsJa, store.DefaultDSN(env.Getenv)))
	}
	cfgPath := fs.String("config", "", "the configuration file (TOML); flags add to it")
	dsn := fs.String("store", "", "the store: sqlite:PATH or postgres://… (default "+store.DefaultDSN(env.Getenv)+")")
	listen := fs.String("listen", "", "HTTP address of the dashboard, the API, /healthz and /metrics (default 127.0.0.1:8025)")
	maildirs, logs, imaps, hooks := &listFlag{}, &listFlag{}, &listFlag{}, &listFlag{}
	domains := &listFlag{split: true}
	fs.Var(maildirs, "maildir", "a Maildir to watch (repeatable)")
	fs.Var(logs, "sendlog", "a mail log file to follow (repeatable)")
	fs.Var(imaps, "imap", "an IMAP folder to watch: imaps://USER@HOST/INBOX (repeatable; password from BOUNCEWATCH_IMAP_PASSWORD[_FILE])")
	fs.Var(hooks, "webhook", "a webhook URL to alert (repeatable)")
	fs.Var(domains, "domain", "our mail domain (repeatable, or comma-separated)")
	hookFormat := fs.String("webhook-format", "generic", "payload of the --webhook URLs: generic, slack or teams")
	lmtpAddr := fs.String("lmtp", "", "listen for LMTP deliveries on host:port or a Unix socket path")
	syslogAddr := fs.String("syslog", "", "listen for syslog lines (UDP and TCP) on host:port")
	lang := fs.String("lang", "", "language of evidence and alerts: ja or en (default: from the locale)")
	tz := fs.String("tz", "", "time zone of the hours and of log times without offset (default: local)")
	logFormat := fs.String("log-format", "", "log format on standard error: text or json")
	demo := fs.Bool("demo", false, "stream a built-in scenario into a temporary store, in accelerated time")
	demoScenario := fs.String("scenario", "hijack", "the --demo scenario")
	speed := fs.Float64("speed", 120, "the --demo clock's speed (120: an hour in 30 seconds)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "serve", ml, err, help)
	}
	if len(pos) > 0 {
		say(env.Stderr, "serve", ml, msgUnexpectedArg, pos[0])
		fmt.Fprintln(env.Stderr, fmt.Sprintf(msgSeeHelp.in(ml), "serve"))
		return 2
	}
	fail := func(format string, a ...any) int {
		say(env.Stderr, "serve", ml, msg{format, format}, a...)
		return 2
	}
	c := &serveConfig{}
	if *cfgPath != "" {
		var err error
		if c, err = loadConfig(*cfgPath); err != nil {
			return fail("%v", err)
		}
	}
	// Flags add to (or override) the file.
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&c.Store, *dsn)
	set(&c.Listen, *listen)
	set(&c.Lang, *lang)
	set(&c.TZ, *tz)
	set(&c.Log.Format, *logFormat)
	c.Domains = append(c.Domains, domains.vals...)
	for _, m := range maildirs.vals {
		c.Maildir = append(c.Maildir, struct {
			Path string `toml:"path"`
		}{m})
	}
	for _, l := range logs.vals {
		c.Logfile = append(c.Logfile, struct {
			Path string `toml:"path"`
		}{l})
	}
	for _, u := range imaps.vals {
		c.IMAP = append(c.IMAP, struct {
			URL          string        `toml:"url"`
			PasswordFile string        `toml:"password_file"`
			PasswordEnv  string        `toml:"password_env"`
			MoveTo       string        `toml:"move_to"`
			NoIdle       bool          `toml:"no_idle"`
			Poll         time.Duration `toml:"poll"`
		}{URL: u})
	}
	for _, h := range hooks.vals {
		c.Webhook = append(c.Webhook, struct {
			URL        string `toml:"url"`
			URLFile    string `toml:"url_file"`
			URLEnv     string `toml:"url_env"`
			Format     string `toml:"format"`
			SecretFile string `toml:"secret_file"`
			SecretEnv  string `toml:"secret_env"`
		}{URL: h, Format: *hookFormat, SecretEnv: "BOUNCEWATCH_WEBHOOK_SECRET"})
	}
	if *lmtpAddr != "" {
		c.LMTP = append(c.LMTP, struct {
			Listen      string `toml:"listen"`
			SocketGroup string `toml:"socket_group"`
		}{Listen: *lmtpAddr})
	}
	if *syslogAddr != "" {
		c.Syslog = append(c.Syslog, struct {
			UDP string `toml:"udp"`
			TCP string `toml:"tcp"`
		}{*syslogAddr, *syslogAddr})
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8025"
	}
	log, err := newLogger(env.Stderr, c.Log.Format, c.Log.Level)
	if err != nil {
		return fail("%v", err)
	}
	if *demo {
		return runDemoServe(ctx, c, *demoScenario, *speed, env, log, ml)
	}
	if c.Store == "" {
		c.Store = store.DefaultDSN(env.Getenv)
	}
	if len(c.Maildir)+len(c.IMAP)+len(c.LMTP)+len(c.Logfile)+len(c.Syslog) == 0 {
		log.Warn("no source configured: serving what the store holds (bouncewatch import fills it)")
	}
	svc, code := newService(ctx, c, env, log, nil, nil)
	if svc == nil {
		return code
	}
	return svc.run(ctx)
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if level != "" {
		if err := lv.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("log level %q: debug, info, warn or error", level)
		}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: text or json", format)
}

// service is a running serve: the store, the sources, the detector, the
// alert dispatcher and the HTTP server.
type service struct {
	cfg      *serveConfig
	log      *slog.Logger
	st       *store.Store
	sources  []ingest.Source
	det      *detect.Detector
	disp     *alert.Dispatcher
	srv      *http.Server
	ln       net.Listener
	token    string
	extra    func(ctx context.Context) // the demo's feeder
	pol      *policy.Service           // the policy service ([policy]), or nil
	bl       *dnsbl.Monitor            // the blocklist checks ([blocklists]), or nil
	polLn    net.Listener
	health   func() []ingest.Health
	stopWeb  func() // ends the dashboard's live streams
	ownStore bool
}

// pokingSink stores through the store and wakes the detector.
type pokingSink struct {
	st  *store.Store
	det *detect.Detector
}

func (p *pokingSink) PutMail(ctx context.Context, m ingest.Mail) error {
	err := p.st.PutMail(ctx, m)
	if err == nil {
		p.det.Poke()
	}
	return err
}

func (p *pokingSink) PutLogLines(ctx context.Context, l []ingest.LogLine) error {
	err := p.st.PutLogLines(ctx, l)
	if err == nil {
		p.det.Poke()
	}
	return err
}

// analysisConfig is the detector's analysis configuration from c and the
// domains stored in st (import --domain): what serve analyses with, and
// what import makes the stored messages' digests with, so that serve's
// first start reads them instead of decoding every message again.
func analysisConfig(ctx context.Context, c *serveConfig, getenv func(string) string, st *store.Store) (diagnose.Config, error) {
	acfg := diagnose.Config{Surge: surge.Options{Sensitivity: c.Sensitivity}, Location: time.Local}
	acfg.Attrib.Relays = c.Relays
	acfg.Lang = advice.LangFromEnv(getenv)
	if c.Lang != "" {
		l, err := advice.ParseLang(c.Lang)
		if err != nil {
			return acfg, err
		}
		acfg.Lang = l
	}
	if c.TZ != "" {
		loc, err := time.LoadLocation(c.TZ)
		if err != nil {
			return acfg, fmt.Errorf("tz: %w", err)
		}
		acfg.Location = loc
	}
	stored, err := storedDomains(ctx, st)
	if err != nil {
		return acfg, err
	}
	seen := map[string]bool{}
	for _, d := range append(append([]string{}, c.Domains...), stored...) {
		if k := strings.ToLower(strings.TrimSpace(d)); k != "" && !seen[k] {
			seen[k] = true
			acfg.Attrib.Domains = append(acfg.Attrib.Domains, k)
		}
	}
	return acfg, nil
}

// newService opens and builds everything; on failure it returns nil and
// the exit code. clock, when set, is the detector's (the demo's).
func newService(ctx context.Context, c *serveConfig, env Env, log *slog.Logger, clock func() time.Time,
	onChange func(*store.Incident, string)) (*service, int) {
	s := &service{cfg: c, log: log}
	failed := func(format string, a ...any) (*service, int) {
		log.Error(fmt.Sprintf(format, a...))
		if s.st != nil {
			s.st.Close()
		}
		return nil, 1
	}
	var err error
	if s.st, err = store.Open(ctx, c.Store); err != nil {
		return failed("%v", err)
	}
	acfg, err := analysisConfig(ctx, c, env.Getenv, s.st)
	if err != nil {
		return failed("%v", err)
	}
	dir := filepath.Dir(strings.TrimPrefix(c.Store, "sqlite:"))
	if s.st.Engine() != store.SQLite {
		dir = filepath.Dir(strings.TrimPrefix(store.DefaultDSN(env.Getenv), "sqlite:"))
	}
	if s.token, err = apiToken(c, dir, env.Getenv, log); err != nil {
		return failed("API token: %v", err)
	}
	hooks, em, err := notifiers(c, env.Getenv)
	if err != nil {
		return failed("%v", err)
	}
	rend := &alert.Renderer{Webhooks: hooks, Email: em, Lang: acfg.Lang, Dashboard: c.DashboardURL}
	rend.Ticked = func(in *store.Incident) []string { return web.Ticked(ctx, s.st, in, acfg.Lang, acfg.Location) }
	if rend.Dashboard == "" {
		rend.Dashboard = "http://" + c.Listen
	}
	s.disp = &alert.Dispatcher{Store: s.st, Webhooks: hooks, Email: em, Log: log.With("part", "alerts"), PerHour: c.AlertsPerHour}
	dcfg := detect.Config{Analyzer: acfg, Interval: c.Detect.Interval, CloseAfter: c.Detect.CloseAfter, Now: clock,
		FollowClock: clock != nil, Log: log.With("part", "detector")}
	if len(hooks) > 0 || em != nil {
		dcfg.Alerts = rend.Alerts
	}
	dcfg.OnChange = func(in *store.Incident, change string) {
		s.disp.Poke()
		if s.bl != nil && change == store.ChangeOpened {
			s.bl.Poke()
		}
		if onChange != nil {
			onChange(in, change)
		}
	}
	s.det = detect.New(s.st, dcfg)
	sink := &pokingSink{st: s.st, det: s.det}
	if s.sources, err = buildSources(c, sink, s.st, env.Getenv, log); err != nil {
		return failed("%v", err)
	}
	health := func() []ingest.Health {
		var out []ingest.Health
		for _, src := range s.sources {
			out = append(out, src.Health())
		}
		return out
	}
	s.health = health
	a := &api.Server{Store: s.st, Report: s.det.Report, Sources: health, Token: s.token, Log: log.With("part", "api"), Relays: c.Relays}
	a.Registry = api.NewMetrics(s.st, s.det.Report, health)
	if b := c.Blocklists; b != nil {
		if s.bl, err = blocklistMonitor(c, s.st, log.With("part", "blocklists")); err != nil {
			return failed("[blocklists]: %v", err)
		}
		if len(hooks) > 0 || em != nil {
			s.bl.Alerts, s.bl.Queued = rend.Blocklisted, s.disp.Poke
		}
	}
	if p := c.Policy; p != nil && p.Listen != "" {
		pf := policyFlags{action: p.Action, lang: p.Lang, budget: p.Budget, stale: p.Stale, window: p.Window,
			maxMessages: p.MaxMessages, maxNewRecipients: p.MaxNewRecipients, maxNetwork: p.MaxNetworks, autoRelease: p.AutoRelease}
		if pf.lang == "" {
			pf.lang = c.Lang
		}
		pcfg, err := pf.config()
		if err != nil {
			return failed("[policy]: %v", err)
		}
		pcfg.Log, pcfg.Registerer = log.With("part", "policy"), a.Registry
		if dcfg.Alerts != nil {
			pcfg.Alerts = func(in *store.Incident, change string) []store.Alert { return rend.Alerts(in, change, nil) }
		}
		pcfg.OnChange = dcfg.OnChange
		s.pol = policy.New(s.st, pcfg)
		if s.polLn, err = policy.Listen(p.Listen); err != nil {
			return failed("[policy]: %v", err)
		}
	}
	if s.ln, err = net.Listen("tcp", c.Listen); err != nil {
		return failed("listen: %v", err)
	}
	h, err := dashboard(s, a.Handler(), acfg.Lang, acfg.Location, log)
	if err != nil {
		s.ln.Close()
		return failed("%v", err)
	}
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.srv.RegisterOnShutdown(s.stopWeb)
	return s, 0
}

// run runs the service until ctx is done, then stops it gracefully.
func (s *service) run(ctx context.Context) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.log.Info("bouncewatch serve", "listen", s.ln.Addr().String(), "store", s.st.Where(), "engine", s.st.Engine(),
		"sources", len(s.sources))
	var wg sync.WaitGroup
	goRun := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("stopped", "part", name, "err", err)
			}
		}()
	}
	for _, src := range s.sources {
		goRun(src.Name(), src.Run)
	}
	goRun("detector", s.det.Run)
	if s.bl != nil {
		goRun("blocklists", s.bl.Run)
	}
	if s.pol != nil {
		goRun("policy", func(ctx context.Context) error { go s.pol.Run(ctx); return s.pol.Serve(ctx, s.polLn) })
	}
	goRun("alerts", s.disp.Run)
	if r := s.cfg.Retention; r.Raw > 0 || r.LogLines > 0 || r.Bounces > 0 {
		goRun("retention", func(ctx context.Context) error {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				n, err := s.st.Prune(ctx, store.Retention{Raw: r.Raw, LogLines: r.LogLines, Bounces: r.Bounces}, time.Now())
				if err != nil && ctx.Err() == nil {
					s.log.Error("retention", "err", err)
				} else if n > 0 {
					s.log.Info("retention", "pruned", n)
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		})
	}
	if s.extra != nil {
		wg.Add(1)
		go func() { defer wg.Done(); s.extra(ctx) }()
	}
	srvErr := make(chan error, 1)
	go func() { srvErr <- s.srv.Serve(s.ln) }()
	code := 0
	select {
	case <-ctx.Done():
	case err := <-srvErr:
		if !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http", "err", err)
			code = 1
		}
	}
	s.log.Info("stopping")
	cancel()
	shut, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	_ = s.srv.Shutdown(shut)
	wg.Wait()
	if err := s.st.Close(); err != nil {
		s.log.Error("closing the store", "err", err)
		code = 1
	}
	s.log.Info("stopped")
	return code
}
