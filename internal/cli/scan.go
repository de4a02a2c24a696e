package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/report"
	"github.com/bouncewatch/bouncewatch/surge"
)

const scanHelp = `Usage: bouncewatch scan --mail PATH... [--sendlog PATH...] [--domain D...]
                       [--since T] [--until T] [--format text|json|html]
                       [--lang ja|en] [-o FILE]

Answers the question a flood of MAILER-DAEMON messages asks: is an account
of ours hijacked (spam leaves through our server with its stolen password),
is someone forging our address (the bounces are backscatter), or are these
ordinary bounces? For each sending account it gives a verdict — hijacked,
spoofed, mixed, ordinary or insufficient_evidence — with a confidence, the
evidence in plain sentences, the surge (onset, peak, baseline) beside the
sent volume, and the response plan.

Inputs:
  --mail PATH      the bounces: .eml files, directories (Maildir cur/ and new/
                   too), mbox files, - for standard input; gzip is read as is.
                   Paths given without a flag are mail too; a quoted pattern
                   ('~/bounces/*.eml') gives the files it matches.
  --sendlog PATH   our outbound mail log: Postfix, Exim mainlog, Sendmail
                   (syslog, RFC 5424 or journald lines), or a control panel's
                   CSV of sent counts per hour and account. Rotated and .gz
                   files are read in order; a directory (/var/log) gives its
                   mail logs; a quoted pattern ('/var/log/mail.log*') the
                   files it matches, oldest first (mail.log.3.gz,
                   mail.log.2.gz, mail.log.1, mail.log). Without it the
                   verdict can still use the returned messages' Received
                   chains and signatures, but says what is missing.
  --domain D       our mail domains (repeat, or comma-separated); default:
                   learnt from the log's authenticated senders.
  --relay H        our relay host names or IPs (default: learnt from the log,
                   the host names in our domains, and the host most returned
                   messages entered at).
  --relays-from-mx take the MX hosts of --domain for our relays too (DNS
                   lookups; for a mailbox rented from a hosting provider).

Secrets: the BATV key is read from the file named by --batv-key-file or from
the environment variable BOUNCEWATCH_BATV_KEY, never from the command line.

Examples:
  bouncewatch scan --mail ~/Maildir --sendlog /var/log/mail.log --domain example.jp
  bouncewatch scan --mail bounces.mbox.gz --sendlog '/var/log/mail.log*' --format html -o report.html
  bouncewatch scan --mail ~/Maildir/.Bounces --format json --since 2026-11-01 | jq '.verdicts[0]'

Times (--since, --until) are RFC 3339 ("2026-11-02T02:00:00+09:00"), or a date
or "date hour:minute" in the --tz zone.

Exit status: 0 when everything was read, 1 when some input failed (the report
is still written), 2 on a usage error (an unknown option, a path that does
not exist, a mail log given as --mail, a file that is not a log as --sendlog).

Options:
`

const scanHelpJa = `使い方: bouncewatch scan --mail パス... [--sendlog パス...] [--domain ドメイン...]
                       [--since 日時] [--until 日時] [--format text|json|html]
                       [--lang ja|en] [-o ファイル]

大量に届いた MAILER-DAEMON（配信エラー）の意味を判定します。当方のアカウントが
乗っ取られた（盗まれたパスワードで当方のサーバーから迷惑メールが送られている）
のか、第三者が当方のアドレスを詐称している（バウンスは他人の迷惑メールの跳ね返り）
のか、ふだんどおりのエラーなのか。送信アカウントごとに判定（hijacked 乗っ取り、
spoofed なりすまし、mixed 両方、ordinary 通常、insufficient_evidence 根拠不足）と
確からしさ、根拠の説明、急増（開始・ピーク・平常時）と送信量、対処の手順を示します。
バウンスや携帯会社・プロバイダーの通知を装ったフィッシングは数えて、根拠から除きます。

入力:
  --mail パス      バウンス: .eml ファイル、ディレクトリ（Maildir の cur/ と new/ も）、
                   mbox ファイル、標準入力なら -。gzip 圧縮もそのまま読めます。
                   フラグなしのパスもメールとして読みます。引用符で囲んだワイルド
                   カード（'~/bounces/*.eml'）も使えます。
  --sendlog パス   当方の送信ログ: Postfix、Exim の mainlog、Sendmail（syslog、
                   RFC 5424、journald の書き出し）、またはコントロールパネルの時間別・
                   アカウント別の送信数 CSV。ローテートされたファイルや .gz も古い順に
                   読みます。ディレクトリ（/var/log）を指定するとその中のメールログを、
                   引用符で囲んだパターン（'/var/log/mail.log*'）なら一致するファイルを
                   mail.log.3.gz、mail.log.2.gz、mail.log.1、mail.log の順に読みます。
                   ログがなくても、返送されたメッセージの Received や署名から判定
                   できる範囲で判定し、足りないものを示します。
  --domain ドメイン 当方のメールドメイン（繰り返し、またはカンマ区切り）。既定では
                   ログの認証済み送信者から推定します。
  --relay ホスト   当方の中継サーバーのホスト名か IP（既定ではログ、当方のドメインの
                   ホスト名、返送されたメッセージの多くが最初に入ったホストから推定）。
  --relays-from-mx --domain の MX ホストも当方の中継サーバーとみなす（DNS 問い合わせ。
                   ホスティング会社のメールボックスを使っている場合に）。

秘密情報: BATV の鍵は --batv-key-file で指定したファイルか環境変数
BOUNCEWATCH_BATV_KEY から読みます。コマンドラインには書きません。

例:
  bouncewatch scan --mail ~/Maildir --sendlog /var/log/mail.log --domain example.jp
  bouncewatch scan --mail bounces.mbox.gz --sendlog '/var/log/mail.log*' --format html -o report.html
  bouncewatch scan --mail ~/Maildir/.Bounces --format json --since 2026-11-01 | jq '.verdicts[0]'

日時（--since、--until）は RFC 3339（"2026-11-02T02:00:00+09:00"）、または
--tz のタイムゾーンでの日付か「日付 時:分」です。

終了ステータス: すべて読めたら 0、読めない入力があったら 1（レポートは出力します）、
使い方の誤り（不明なオプション、存在しないパス、--mail にログを指定したなど）なら 2。

オプション:
`

// scanFlagsJa are the Japanese descriptions of scan's flags.
var scanFlagsJa = map[string]string{
	"mail":           "読み込むバウンス（繰り返し可）",
	"sendlog":        "読み込む送信ログ（繰り返し可）",
	"domain":         "当方のメールドメイン（繰り返し、またはカンマ区切り）",
	"relay":          "当方の中継サーバーのホスト名か IP（繰り返し、またはカンマ区切り）",
	"since":          "この日時以降だけを見る",
	"until":          "この日時より前だけを見る",
	"format":         "出力形式: text、json（1 つの文書）、html（1 つで完結するファイル）",
	"o":              "レポートを標準出力ではなくこのファイルに書き出す",
	"lang":           "言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）",
	"tz":             "時刻表示と、時差のない日時のタイムゾーン。例: Asia/Tokyo（既定: この機械の設定）",
	"sensitivity":    "急増の感度: 2 にすると半分の大きさの急増も見つけます（誤報は増えます）",
	"batv-key-file":  "当方の BATV（prvs）鍵を収めたファイル",
	"check-dns":      "なりすまし（または mixed）と判定したアカウントのドメインの SPF・DKIM・DMARC・MX をその場で確認して追加する",
	"resolver":       "--check-dns で使う DNS リゾルバー ホスト[:ポート]（既定: /etc/resolv.conf）",
	"relays-from-mx": "--domain の MX ホストも当方の中継サーバーとみなす（DNS 問い合わせ）",
	"verify-dkim":    "返送されたメッセージの当方の DKIM 署名を検証する（DNS 問い合わせ、キャッシュあり）",
	"workers":        "同時にデコードするメッセージ数",
}

// listFlag collects a repeatable flag; commas separate values too when
// split is set.
type listFlag struct {
	vals  []string
	split bool
}

func (l *listFlag) String() string { return strings.Join(l.vals, ",") }
func (l *listFlag) Set(v string) error {
	if !l.split {
		l.vals = append(l.vals, v)
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l.vals = append(l.vals, p)
		}
	}
	return nil
}

func runScan(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv) // the language of messages before --lang is parsed
	fs := newFlagSet("scan")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, scanHelp, scanHelpJa))
		printOptions(env.Stderr, fs, ml, scanFlagsJa)
	}
	mail := &listFlag{}
	logs := &listFlag{}
	domains := &listFlag{split: true}
	relays := &listFlag{split: true}
	fs.Var(mail, "mail", "bounces to read (repeatable)")
	fs.Var(logs, "sendlog", "outbound mail log to read (repeatable)")
	fs.Var(domains, "domain", "our mail domain (repeatable, or comma-separated)")
	fs.Var(relays, "relay", "our relay host name or IP (repeatable, or comma-separated)")
	since := fs.String("since", "", "only look at what happened from this time on")
	until := fs.String("until", "", "only look at what happened before this time")
	format := fs.String("format", "text", "output: text, json (one document) or html (one self-contained file)")
	out := fs.String("o", "", "write the report to this file instead of standard output")
	lang := fs.String("lang", "", "language: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	tz := fs.String("tz", "", "time zone of the hours and of times without offset, e.g. Asia/Tokyo (default: local)")
	sens := fs.Float64("sensitivity", 1, "surge sensitivity: 2 finds surges half the size, at the price of more false alarms")
	batvFile := fs.String("batv-key-file", "", "file holding our BATV (prvs) key")
	checkDNS := fs.Bool("check-dns", false, "when an account is spoofed (or mixed), check its domain's SPF, DKIM, DMARC and MX live and add the result")
	resolver := fs.String("resolver", "", "DNS resolver HOST[:PORT] for --check-dns (default: from /etc/resolv.conf)")
	relaysMX := fs.Bool("relays-from-mx", false, "take the MX hosts of --domain for our relays too (DNS lookups)")
	verifyDKIM := fs.Bool("verify-dkim", false, "verify our DKIM signatures on the returned messages (DNS lookups, cached)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "messages decoded at once")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "scan", ml, err, help)
	}
	fail := func(m msg, a ...any) int {
		say(env.Stderr, "scan", ml, m, a...)
		return 2
	}
	paths := append(mail.vals, pos...)
	if len(paths) == 0 {
		say(env.Stderr, "scan", ml, msgNoMail)
		help()
		return 2
	}
	switch *format {
	case "text", "json", "html":
	default:
		return fail(msgBadFormat, *format)
	}
	cfg := diagnose.Config{Surge: surge.Options{Sensitivity: *sens}}
	cfg.Attrib.Domains, cfg.Attrib.Relays = domains.vals, relays.vals
	cfg.Lang = advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if cfg.Lang, err = advice.ParseLang(*lang); err != nil {
			return fail(msgPlain, err)
		}
	}
	ml = cfg.Lang
	cfg.Location = time.Local
	if *tz != "" {
		if cfg.Location, err = time.LoadLocation(*tz); err != nil {
			return fail(msg{"--tz: %v", "--tz: %v"}, err)
		}
	}
	if cfg.Since, err = parseWhen(*since, cfg.Location); err != nil {
		return fail(msg{"--since: %v", "--since: %v"}, err)
	}
	if cfg.Until, err = parseWhen(*until, cfg.Location); err != nil {
		return fail(msg{"--until: %v", "--until: %v"}, err)
	}
	if !cfg.Since.IsZero() && !cfg.Until.IsZero() && !cfg.Since.Before(cfg.Until) {
		const layout = "2006-01-02 15:04 MST"
		return fail(msgSinceAfter, cfg.Since.In(cfg.Location).Format(layout), cfg.Until.In(cfg.Location).Format(layout))
	}
	if key, err := batvKey(*batvFile, env.Getenv); err != nil {
		return fail(msgPlain, err)
	} else if key != nil {
		cfg.Attrib.BATVKey = key
	}
	if *verifyDKIM {
		cfg.Attrib.DKIM = attrib.MsgauthVerifier{LookupTXT: cachedTXT(net.LookupTXT)}
	}
	if *relaysMX {
		cfg.LookupMX = func(d string) ([]string, error) {
			mxs, err := net.LookupMX(d)
			var hosts []string
			for _, mx := range mxs {
				hosts = append(hosts, mx.Host)
			}
			return hosts, err
		}
	}

	// Every path is checked before anything is read: a report is never
	// built on a typo.
	paths, bad := expandPaths("--mail", paths, false)
	logPaths, badLogs := expandPaths("--sendlog", logs.vals, true)
	bad = append(bad, badLogs...)
	logFiles, err := expandLogDirs(logPaths)
	var ie *inputError
	if errors.As(err, &ie) {
		bad = append(bad, ie)
	} else if err != nil {
		return fail(msg{"--sendlog: %v", "--sendlog: %v"}, err)
	}
	positional := map[string]bool{}
	for _, p := range pos {
		positional[p] = true
	}
	for _, p := range paths {
		if e := checkMailFile(p); e != nil {
			if positional[p] {
				// "--sendlog /var/log/mail.log*" unquoted: the shell
				// gave the first file to --sendlog, the rest as mail.
				e.hint = msgQuotePattern
			}
			bad = append(bad, e)
		}
	}
	named := map[string]bool{} // files named on the command line, not found in a directory
	for _, p := range logPaths {
		named[p] = true
	}
	kept := logFiles[:0:0]
	for _, p := range logFiles {
		e := checkLogFile(p)
		switch {
		case e == nil:
			kept = append(kept, p)
		case named[p]:
			bad = append(bad, e)
		default:
			// Found in a directory given as --sendlog: skipped, said.
			say(env.Stderr, "scan", ml, msgSkipped, e.text(ml))
		}
	}
	logFiles = kept
	if len(bad) > 0 {
		for _, e := range bad {
			say(env.Stderr, "scan", ml, msgPlain, e.text(ml))
		}
		return 2
	}

	in := diagnose.Input{Mail: paths, Stdin: env.Stdin, SendLogs: logFiles, Workers: *workers}
	in.LogOptions.Location = cfg.Location
	prog := newProgress(env.Stderr, env.StderrIsTerminal)
	in.Progress = scanProgress(prog, ml)
	rep, scanErr := diagnose.Scan(ctx, in, cfg)
	prog.done()
	if rep == nil {
		say(env.Stderr, "scan", ml, msgPlain, scanErr)
		return 1
	}
	if scanErr != nil {
		for _, line := range strings.Split(scanErr.Error(), "\n") {
			say(env.Stderr, "", ml, msgPlain, line)
		}
	}
	if z := rep.LogZone; z != nil && z.Warning != "" {
		say(env.Stderr, "scan", ml, msgWarning, z.Warning)
	}
	nothing := rep.NothingToJudge()

	var w io.Writer = env.Stdout
	var f *os.File
	if *out != "" && *out != "-" {
		if f, err = os.Create(*out); err != nil {
			say(env.Stderr, "scan", ml, msgPlain, err)
			return 1
		}
		w = f
	}
	var checks []*domaincheck.Report
	if *checkDNS {
		checks = checkSpoofedDomains(ctx, rep, domaincheck.Resolver{Server: *resolver, Timeout: 5 * time.Second}, env)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	switch {
	case *format == "json":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			*diagnose.Report
			// NothingToJudge: no bounce was read; overall is then
			// insufficient_evidence for want of anything to judge.
			NothingToJudge bool                  `json:"nothing_to_judge"`
			DNSChecks      []*domaincheck.Report `json:"dns_checks,omitempty"`
		}{rep, nothing, checks})
	case *format == "html":
		err = report.HTML(bw, rep)
	case nothing:
		// Not a report of zeros that reads as "ordinary": what was read,
		// and what to collect.
		err = writeNothingToJudge(bw, rep, paths, logFiles, ml)
	default:
		err = report.Text(bw, rep)
		for _, c := range checks {
			fmt.Fprintln(bw)
			fmt.Fprintln(bw, msgLiveCheck.in(rep.Lang))
			writeDomainReport(bw, c, string(rep.Lang))
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		say(env.Stderr, "scan", ml, msgWritingReport, err)
		return 1
	}
	if nothing {
		say(env.Stderr, "", ml, msgNothing, readSummary(rep, ml))
	}
	say(env.Stderr, "", ml, msgSummary,
		rep.Inputs.Messages, rep.Inputs.Bounces, rep.Inputs.Failed, rep.Inputs.Log.Lines, rep.Overall)
	if scanErr != nil {
		return 1
	}
	return 0
}

// parseWhen reads RFC 3339, "2006-01-02 15:04", or a date, in loc.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use 2026-11-02, \"2026-11-02 14:00\" or 2026-11-02T14:00:00+09:00", s)
}

// batvKey reads the BATV key from a file or BOUNCEWATCH_BATV_KEY.
func batvKey(file string, getenv func(string) string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--batv-key-file: %w", err)
		}
		k := strings.TrimSpace(string(b))
		if k == "" {
			return nil, fmt.Errorf("--batv-key-file: %s is empty", file)
		}
		return []byte(k), nil
	}
	if getenv != nil {
		if k := strings.TrimSpace(getenv("BOUNCEWATCH_BATV_KEY")); k != "" {
			return []byte(k), nil
		}
	}
	return nil, nil
}

// scanProgress shows a scan's phases on the progress line.
func scanProgress(p *progress, l advice.Lang) func(diagnose.Progress) {
	return func(pr diagnose.Progress) {
		el := p.elapsed()
		if pr.Phase == diagnose.PhaseLog {
			p.show(pr.Done, msgProgressLog.in(l), pr.LogLines, float64(pr.LogLines)/el)
			return
		}
		p.show(pr.Done, msgProgressMail.in(l),
			pr.Messages, pr.Bounces, pr.Failed, float64(pr.Bytes)/1e6, float64(pr.Messages)/el)
	}
}

// cachedTXT remembers the answers of lookup: a flood of bounces carries the
// same few DKIM keys.
func cachedTXT(lookup func(string) ([]string, error)) func(string) ([]string, error) {
	type answer struct {
		txt []string
		err error
	}
	var mu sync.Mutex
	cache := map[string]answer{}
	return func(name string) ([]string, error) {
		name = strings.ToLower(name)
		mu.Lock()
		a, ok := cache[name]
		mu.Unlock()
		if ok {
			return a.txt, a.err
		}
		txt, err := lookup(name)
		mu.Lock()
		cache[name] = answer{txt, err}
		mu.Unlock()
		return txt, err
	}
}

// expandLogDirs replaces a directory given as a send log (such as
// /var/log) with the mail logs in it: files whose names say mail, maillog,
// mainlog, exim, postfix or sendmail, and CSV files, rotated and
// compressed ones included.
func expandLogDirs(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			out = append(out, p) // the reader reports a missing file
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range ents {
			name := strings.ToLower(e.Name())
			if !e.Type().IsRegular() {
				continue
			}
			for _, k := range []string{"mail", "exim", "postfix", "sendmail", ".csv"} {
				if strings.Contains(name, k) {
					out = append(out, filepath.Join(p, e.Name()))
					n++
					break
				}
			}
		}
		if n == 0 {
			return nil, &inputError{m: msgNoLogsInDir, args: []any{p}}
		}
	}
	return out, nil
}

// checkSpoofedDomains checks live the domains of the accounts found
// spoofed or mixed: when someone forges the address, SPF, DKIM and DMARC
// decide whether receivers refuse the forgeries or bounce them back.
func checkSpoofedDomains(ctx context.Context, rep *diagnose.Report, res domaincheck.Resolver, env Env) []*domaincheck.Report {
	var out []*domaincheck.Report
	seen := map[string]bool{}
	for _, v := range rep.Verdicts {
		if v.Verdict != advice.Spoofed && v.Verdict != advice.Mixed {
			continue
		}
		d := ""
		if i := strings.LastIndexByte(v.Account, '@'); i >= 0 {
			d = strings.ToLower(v.Account[i+1:])
		} else if len(v.Addresses) > 0 {
			if i := strings.LastIndexByte(v.Addresses[0], '@'); i >= 0 {
				d = strings.ToLower(v.Addresses[0][i+1:])
			}
		}
		if d == "" || seen[d] || len(seen) >= 5 {
			continue
		}
		seen[d] = true
		c, err := domaincheck.Check(ctx, d, domaincheck.Options{Resolver: res})
		if err != nil {
			say(env.Stderr, "scan", rep.Lang, msgCheckingDNS, d, err)
			continue
		}
		out = append(out, c)
	}
	return out
}
