package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/domaincheck"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

const checkDomainHelp = `Usage: bouncewatch check-domain [--selector S,...] [--resolver HOST:PORT]
                                [--format text|json] [--lang ja|en] DOMAIN...

Checks a domain's SPF, DMARC, DKIM and MX records live in the DNS and
proposes the records to publish.

Why: when someone forges your address, receivers that check SPF, DKIM and
DMARC refuse the forged mail outright — no bounce is ever made — instead of
accepting it and bouncing it back to you (backscatter). They do so only when
your domain asks them to: an SPF record ending in -all and a DMARC policy of
quarantine or reject.

Checks:
  SPF    one v=spf1 record, syntax, the 10 DNS-lookup limit counted through
         include and redirect, void lookups, loops, the final -all/~all
  DMARC  _dmarc.DOMAIN (or the organisational domain's), p=, sp=, pct=,
         rua= reports, alignment
  DKIM   the keys of the selectors given, or of ~25 common ones; key size
  MX     mail servers, null MX, aliases (CNAME), addresses

Examples:
  bouncewatch check-domain example.jp
  bouncewatch check-domain --selector google,s1 --lang en example.jp
  bouncewatch check-domain --resolver 1.1.1.1 --format json example.jp example.com

Exit status: 0 when no check found an error, 1 when one did (or a domain
could not be checked), 2 on a usage error.

Options:
`

const checkDomainHelpJa = `使い方: bouncewatch check-domain [--selector S,...] [--resolver ホスト:ポート]
                                [--format text|json] [--lang ja|en] ドメイン...

ドメインの SPF・DMARC・DKIM・MX レコードを DNS でその場で確認し、登録すべき
レコードを提案します。

理由: 誰かがあなたのアドレスを詐称したとき、SPF・DKIM・DMARC を確認する受信側は
偽のメールをその場で拒否します（バウンスは作られません）。確認しない、または
あなたのドメインが求めていない場合は、いったん受け取ってからあなた宛てに
バウンスを返します（バックスキャッター）。受信側が拒否するのは、SPF が -all で
終わり、DMARC のポリシーが quarantine か reject のときだけです。

確認する内容:
  SPF    v=spf1 レコードが 1 つか、書式、include と redirect をたどった DNS
         参照回数（上限 10）、空の参照、ループ、最後の -all/~all
  DMARC  _dmarc.ドメイン（または組織ドメインのもの）、p=、sp=、pct=、
         rua= の集計レポート、アラインメント
  DKIM   指定したセレクター、または一般的な約 25 個のセレクターの鍵と鍵長
  MX     メールサーバー、ヌル MX、別名（CNAME）、アドレス

例:
  bouncewatch check-domain example.jp
  bouncewatch check-domain --selector google,s1 --lang en example.jp
  bouncewatch check-domain --resolver 1.1.1.1 --format json example.jp example.com

終了ステータス: エラーが見つからなければ 0、見つかったら（または確認できない
ドメインがあったら）1、使い方の誤りなら 2。

オプション:
`

var checkDomainFlagsJa = map[string]string{
	"selector": "確認する DKIM セレクター（カンマ区切り。既定: 一般的なものを試す）",
	"resolver": "DNS リゾルバー ホスト[:ポート]（既定: " + domaincheck.ResolvConf + " の最初の nameserver）",
	"timeout":  "DNS 問い合わせ 1 回あたりの制限時間",
	"format":   "出力形式: text か json（ドメインごとに 1 つの JSON 文書）",
	"lang":     "言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）",
}

var (
	msgNoDomain  = msg{"no DOMAIN given", "ドメインが指定されていません"}
	msgCDFormat  = msg{"--format must be text or json, not %q", "--format は text か json です（%q は使えません）"}
	msgErrorLine = msgPlain
)

func runCheckDomain(ctx context.Context, args []string, env Env) int {
	ml := langOf(args, env.Getenv)
	fs := newFlagSet("check-domain")
	selectors := fs.String("selector", "", "DKIM selectors to check, comma-separated (default: try common ones)")
	resolver := fs.String("resolver", "", "DNS resolver HOST[:PORT] (default: first nameserver in "+domaincheck.ResolvConf+")")
	timeout := fs.Duration("timeout", 5*time.Second, "time limit for each DNS query")
	format := fs.String("format", "text", "output format: text or json (one JSON document per domain)")
	lang := fs.String("lang", "", "language: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)")
	help := func() {
		fmt.Fprint(env.Stderr, helpText(ml, checkDomainHelp, checkDomainHelpJa))
		printOptions(env.Stderr, fs, ml, checkDomainFlagsJa)
	}
	domains, err := parseInterleaved(fs, args)
	if err != nil {
		return flagFail(env.Stderr, "check-domain", ml, err, help)
	}
	if len(domains) == 0 {
		say(env.Stderr, "check-domain", ml, msgNoDomain)
		help()
		return 2
	}
	if *format != "text" && *format != "json" {
		say(env.Stderr, "check-domain", ml, msgCDFormat, *format)
		return 2
	}
	l := advice.LangFromEnv(env.Getenv)
	if *lang != "" {
		if l, err = advice.ParseLang(*lang); err != nil {
			say(env.Stderr, "check-domain", ml, msgErrorLine, err)
			return 2
		}
	}
	opt := domaincheck.Options{Resolver: domaincheck.Resolver{Server: *resolver, Timeout: *timeout}}
	for _, s := range strings.Split(*selectors, ",") {
		if s = strings.TrimSpace(s); s != "" {
			opt.Selectors = append(opt.Selectors, s)
		}
	}
	code := 0
	for i, d := range domains {
		rep, err := domaincheck.Check(ctx, d, opt)
		if err != nil {
			say(env.Stderr, "check-domain", l, msgErrorLine, err)
			code = 1
			if errors.Is(err, context.Canceled) {
				return 1
			}
			continue
		}
		if rep.Worst() == domaincheck.Error {
			code = 1
		}
		if *format == "json" {
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(rep); err != nil {
				say(env.Stderr, "check-domain", l, msgErrorLine, err)
				return 1
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		writeDomainReport(env.Stdout, rep, string(l))
	}
	return code
}

var marks = map[domaincheck.Severity]string{
	domaincheck.OK: "✓", domaincheck.Info: "·", domaincheck.Warn: "!", domaincheck.Error: "✗",
}

// writeDomainReport prints one report for people: each check's records,
// its findings marked ✓ (fine), · (note), ! (warning), ✗ (error), then
// the proposals.
func writeDomainReport(w io.Writer, rep *domaincheck.Report, lang string) {
	ja := lang == string(advice.Japanese)
	pick := func(en, jp string) string {
		if ja {
			return jp
		}
		return en
	}
	fmt.Fprintf(w, "%s  (%s %s)\n", rep.Domain, pick("resolver", "リゾルバー"), rep.Resolver)
	none := pick("(none)", "(なし)")

	section := func(title, summary, check string) {
		if summary == "" {
			if !slices.ContainsFunc(rep.Findings, func(f domaincheck.Finding) bool { return f.Check() == check }) {
				return
			}
			summary = pick("(queries failed)", "(問い合わせ失敗)")
		}
		fmt.Fprintf(w, "\n%s %s\n", termtext.Pad(title, 6), summary)
		for _, f := range rep.Findings {
			if f.Check() == check {
				fmt.Fprintf(w, "  %s %s\n", marks[f.Severity], f.Message.In(lang))
			}
		}
	}

	spf := rep.SPF.Record
	if len(rep.SPF.Records) > 1 {
		spf = strings.Join(rep.SPF.Records, "\n       ")
	}
	if spf == "" {
		spf = none
	}
	for _, n := range rep.SPF.Tree {
		if n.Depth == 0 {
			continue
		}
		rec := n.Record
		if n.Problem != "" {
			rec = "(" + n.Problem + ")"
		}
		spf += fmt.Sprintf("\n       %s%s %s: %s", strings.Repeat("  ", n.Depth-1), n.Via, n.Domain, rec)
	}
	section("SPF", spf, "spf")

	dm := none
	if rep.DMARC.Record != "" {
		dm = rep.DMARC.Name + ": " + rep.DMARC.Record
	}
	section("DMARC", dm, "dmarc")

	var keys []string
	for _, k := range rep.DKIM {
		switch {
		case !k.Found:
			keys = append(keys, k.Selector+" "+pick("(not found)", "(なし)"))
		case k.Key == nil:
			keys = append(keys, k.Selector+" "+pick("(invalid)", "(不正)"))
		case k.Key.Revoked:
			keys = append(keys, k.Selector+" "+pick("(revoked)", "(失効)"))
		default:
			keys = append(keys, fmt.Sprintf("%s (%s %d)", k.Selector, k.Key.KeyType, k.Key.Bits))
		}
	}
	dk := none
	if len(keys) > 0 {
		dk = strings.Join(keys, ", ")
	}
	section("DKIM", dk, "dkim")

	var mxs []string
	for _, h := range rep.MX.Hosts {
		var addrs []string
		for _, a := range h.Addrs {
			addrs = append(addrs, a.String())
		}
		mxs = append(mxs, fmt.Sprintf("%d %s (%s)", h.Preference, h.Host, strings.Join(addrs, ", ")))
	}
	mx := strings.Join(mxs, "\n       ")
	switch {
	case rep.MX.Null:
		mx = "0 .  " + pick("(null MX: no mail)", "(ヌル MX: メールを受け取らない)")
	case mx == "":
		mx = none
	}
	section("MX", mx, "mx")
	section("DNS", "", "dns")

	if len(rep.Proposals) > 0 {
		fmt.Fprintf(w, "\n%s\n", pick(
			"Proposed records — publish these at your DNS provider so that receivers refuse mail forging your address:",
			"提案するレコード — DNS の管理画面で登録すると、あなたのアドレスを偽ったメールを受信側が拒否するようになります:"))
		// Name and type in columns aligned by display width (an
		// internationalised name may hold wide characters).
		nw, tw := 0, 0
		for _, p := range rep.Proposals {
			nw, tw = max(nw, termtext.Width(termtext.Clean(p.Name))), max(tw, termtext.Width(p.Type))
		}
		for _, p := range rep.Proposals {
			fmt.Fprintf(w, "\n  %s  %s  %q\n", termtext.Pad(termtext.Clean(p.Name), nw), termtext.Pad(p.Type, tw), p.Value)
			if p.Replaces != "" {
				fmt.Fprintf(w, "    %s %q\n", pick("replaces:", "置き換え前:"), p.Replaces)
			}
			if p.Template {
				fmt.Fprintf(w, "    %s\n", pick("(a template: fill in the parts that are yours)", "(ひな形です: 自分の環境に合わせて書き換えてください)"))
			}
			fmt.Fprintf(w, "    %s\n", p.Why.In(lang))
		}
	}
	count := map[domaincheck.Severity]int{}
	for _, f := range rep.Findings {
		count[f.Severity]++
	}
	fmt.Fprintf(w, "\n%s\n", fmt.Sprintf(pick("Result: %d error(s), %d warning(s).", "結果: エラー %d 件、警告 %d 件。"),
		count[domaincheck.Error], count[domaincheck.Warn]))
}
