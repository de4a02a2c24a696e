package advice

// Collect is what to say when nothing could be judged (no bounce among
// what was read): not a report of zeros that reads as "ordinary", but
// what a verdict needs and where to find it.
type Collect struct {
	Title string   // "Nothing to judge"
	Found string   // format of the finding; %s: what was read
	Need  string   // what a verdict needs, introducing Steps
	Steps []string // what to collect, in order
	Then  string   // the command to run afterwards
}

// NothingToJudge gives the Collect of l (English for any other language).
func NothingToJudge(l Lang) Collect {
	if l == Japanese {
		return Collect{
			Title: "判定できるものがありません",
			Found: "読み込んだ中にバウンスがありません（%s）。",
			Need:  "判定にはバウンスが必要です。次のものを集めてください。",
			Steps: []string{
				"バウンス: MAILER-DAEMON のメッセージ（「Undelivered Mail Returned to Sender」「配信不能」「Mail delivery failed」など）が届くフォルダー。" +
					"Maildir（~/Maildir の cur と new、または ~/Maildir/.Bounces のようなフォルダー）、mbox ファイル（/var/mail/ユーザー名）、" +
					"メールソフトや Web メールから保存した .eml ファイル。迷惑メールフォルダーに振り分けられていることも多いので、そちらも確認してください。",
				"同じ期間のメールサーバーの送信ログ: /var/log/mail.log* や /var/log/maillog*（Postfix、Sendmail）、Exim の mainlog、" +
					"レンタルサーバーの管理画面の送信履歴 CSV。サーバーに入れない場合はプロバイダーに依頼してください。",
				"当方のメールドメイン（--domain example.jp）。--since/--until で期間を絞った場合は、エラーが急増した時期を含んでいるか確認してください。",
			},
			Then: "そのうえで:",
		}
	}
	return Collect{
		Title: "Nothing to judge",
		Found: "No bounce was found in what was read (%s).",
		Need:  "A verdict needs the bounces. Collect:",
		Steps: []string{
			"The bounces: the folder where MAILER-DAEMON messages (\"Undelivered Mail Returned to Sender\", \"Mail delivery failed\", 「配信不能」…) arrive — " +
				"a Maildir (~/Maildir with cur and new, or a folder such as ~/Maildir/.Bounces), an mbox file (/var/mail/USER), " +
				"or .eml files saved from your mail program or webmail. Look in the spam folder too: bounces often land there.",
			"Your mail server's send log for the same days: /var/log/mail.log* or /var/log/maillog* (Postfix, Sendmail), Exim's mainlog, " +
				"or your hosting panel's CSV of sent mail. Without access to the server, ask your provider.",
			"Your mail domains (--domain example.jp). If you narrowed the period with --since/--until, check that it covers the flood.",
		},
		Then: "Then:",
	}
}

// CollectCommand is the scan to run once the bounces are collected.
const CollectCommand = "bouncewatch scan --mail ~/Maildir --sendlog '/var/log/mail.log*' --domain example.jp"
