package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/internal/termtext"
)

// readSummary says in one phrase what a scan read.
func readSummary(rep *diagnose.Report, l advice.Lang) string {
	in := rep.Inputs
	ja := l == advice.Japanese
	var parts []string
	add := func(n int, en, jp string) {
		if n > 0 {
			if ja {
				parts = append(parts, fmt.Sprintf(jp, n))
			} else {
				parts = append(parts, fmt.Sprintf(en, n))
			}
		}
	}
	if ja {
		parts = append(parts, fmt.Sprintf("メッセージ %d 件", in.Messages))
	} else {
		parts = append(parts, fmt.Sprintf("%d messages", in.Messages))
	}
	add(in.NotBounces, "%d not bounces", "バウンス以外 %d 件")
	add(in.Failed, "%d unreadable", "読めないもの %d 件")
	add(in.Outside, "%d outside --since/--until", "--since/--until の範囲外 %d 件")
	add(in.Log.Lines, "%d send-log lines", "送信ログ %d 行")
	add(in.Log.Messages, "%d messages in the send log", "送信ログのメッセージ %d 件")
	if ja {
		return strings.Join(parts, "、")
	}
	return strings.Join(parts, ", ")
}

// writeNothingToJudge is scan's text output when no bounce (and no fake
// notice) was read: not a report of zeros that reads as "ordinary", but
// what was read and the plan of what to collect for a verdict.
func writeNothingToJudge(w io.Writer, rep *diagnose.Report, mail, logs []string, l advice.Lang) {
	where := termtext.Clean(strings.Join(mail, ", "))
	if where == "-" {
		where = "standard input"
		if l == advice.Japanese {
			where = "標準入力"
		}
	}
	sum := readSummary(rep, l)
	if l == advice.Japanese {
		fmt.Fprintf(w, `判定できるものがありません
==========================
読み込んだ中にバウンスがありません（%s: %s）。
判定にはバウンスが必要です。次のものを集めてください。

  1. バウンス: MAILER-DAEMON のメッセージ（「Undelivered Mail Returned to Sender」
     「配信不能」「Mail delivery failed」など）が届くフォルダー。Maildir（~/Maildir の
     cur と new、または ~/Maildir/.Bounces のようなフォルダー）、mbox ファイル
     （/var/mail/ユーザー名）、メールソフトや Web メールから保存した .eml ファイル。
     迷惑メールフォルダーに振り分けられていることも多いので、そちらも確認してください。
  2. 同じ期間のメールサーバーの送信ログ: /var/log/mail.log* や /var/log/maillog*
     （Postfix、Sendmail）、Exim の mainlog、レンタルサーバーの管理画面の送信履歴 CSV。
     サーバーに入れない場合はプロバイダーに依頼してください。
  3. 当方のメールドメイン（--domain example.jp）。--since/--until で期間を絞った
     場合は、エラーが急増した時期を含んでいるか確認してください。

そのうえで:
  bouncewatch scan --mail ~/Maildir --sendlog '/var/log/mail.log*' --domain example.jp
`, where, sum)
		return
	}
	fmt.Fprintf(w, `Nothing to judge
================
No bounce was found in what was read (%s: %s).
A verdict needs the bounces. Collect:

  1. The bounces: the folder where MAILER-DAEMON messages ("Undelivered Mail
     Returned to Sender", "Mail delivery failed", 「配信不能」…) arrive — a Maildir
     (~/Maildir with cur and new, or a folder such as ~/Maildir/.Bounces), an
     mbox file (/var/mail/USER), or .eml files saved from your mail program or
     webmail. Look in the spam folder too: bounces often land there.
  2. Your mail server's send log for the same days: /var/log/mail.log* or
     /var/log/maillog* (Postfix, Sendmail), Exim's mainlog, or your hosting
     panel's CSV of sent mail. Without access to the server, ask your provider.
  3. Your mail domains (--domain example.jp). If you narrowed the period with
     --since/--until, check that it covers the flood.

Then:
  bouncewatch scan --mail ~/Maildir --sendlog '/var/log/mail.log*' --domain example.jp
`, where, sum)
}
