package cli

import (
	"io"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/store"
)

// The Japanese help and messages of decode, serve, import, suppressions
// and reprocess (their English help is beside each command).

var (
	msgDecodeNoPath     = msg{"no PATH given (use - for standard input)", "パスが指定されていません（標準入力なら -）"}
	msgBadLang          = msg{"--lang: %v", "--lang: %v（ja か en を指定してください）"}
	msgDecodeFailed     = msg{"%s: %s", "%s: 読めませんでした: %s"}
	msgDecodeWarning    = msg{"%s: warning: %s", "%s: 警告: %s"}
	msgDecodeSummary    = msg{"%d messages: %d bounces (%d recipients), %d not bounces, %d failed%s", "メッセージ %d 件: バウンス %d 件（宛先 %d 件）、バウンス以外 %d 件、読めなかったもの %d 件%s"}
	msgDecodeWarned     = msg{", %d warnings (parts not read, recipients dropped: above)", "、警告 %d 件（読まなかった部分や落とした宛先: 上記）"}
	msgImportNothing    = msg{"nothing to import (--mail PATH, --sendlog PATH, --dmarc PATH)", "取り込むものが指定されていません（--mail パス、--sendlog パス、--dmarc パス）"}
	msgImportSendlog    = msg{"--sendlog: %v", "--sendlog: %v"}
	msgImportProgLog    = msg{"log: %d lines, %.1f MB   ", "ログ: %d 行、%.1f MB   "}
	msgImportProgMail   = msg{"mail: %d messages, %d unreadable, %.1f MB  (%.0f msgs/s)   ", "メール: %d 件、読めないもの %d 件、%.1f MB（%.0f 件/秒）   "}
	msgImportSummary    = msg{"stored %d new messages (%d bounced recipients, %d undecodable) and %d new log lines in %s; it holds %d messages and %d log lines", "新しいメッセージ %d 件（バウンスした宛先 %d 件、デコードできなかったもの %d 件）とログ %d 行を %s に保存しました。ストアにはメッセージ %d 件、ログ %d 行があります"}
	msgSuppBadFormat    = msg{"--format must be csv or json, not %q", "--format は csv か json です（%q は使えません）"}
	msgSuppSummary      = msg{"%d recipients", "宛先 %d 件"}
	msgReprocessProg    = msg{"%d messages decoded again   ", "%d 件をデコードし直しました   "}
	msgReprocessSummary = msg{"%d messages changed", "%d 件のメッセージが変わりました"}
	msgDemoNoScenario   = msg{"no scenario %q; there are: %s", "%q というシナリオはありません。あるのは: %s"}
	msgDemoSpeed        = msg{"--speed must be positive", "--speed は正の数にしてください"}
	msgDemoIncident     = msg{"[%s] incident #%d %s: %s %s (confidence %.0f%%), onset %s", "[%s] インシデント #%d %s: %s %s（確からしさ %.0f%%）、始まり %s"}
	msgDemoScenario     = msg{"scenario %q — %s", "シナリオ %q — %s"}
	msgDemoClock        = msg{"A week of history is stored; the clock now runs %gx from %s (an hour in %s).", "1 週間分の過去データを保存しました。ここから時計が %g 倍速で進みます（開始 %s、1 時間が %s）。"}
	msgDemoDashboard    = msg{"Dashboard: http://%s/ (log in with the token above in the password field)", "ダッシュボード: http://%s/（パスワード欄に上のトークンを入れてログイン）"}
	msgDemoWatch        = msg{"Watch the incidents open below; Ctrl-C stops.", "インシデントが開くとこの下に表示されます。Ctrl-C で止まります。"}
	msgDemoOver         = msg{"The scenario is over; the API stays up until Ctrl-C.", "シナリオは終わりました。API は Ctrl-C まで動き続けます。"}
)

const decodeHelpJa = `使い方: bouncewatch decode [--json] [--lang ja|en] [--all] [--workers N] パス...

バウンス（MAILER-DAEMON からのメール、配信状態通知、自動応答、苦情の報告）を
読み、宛先ごとに 1 行の記録にします。どの宛先に、なぜ届かなかったかが分かります。

パスはメッセージのファイル（.eml）、ディレクトリ（中まで読みます。Maildir の
cur/ と new/ も）、mbox ファイル、または標準入力を表す - です。gzip で圧縮された
ファイルもそのまま読めます。

例:
  bouncewatch decode ~/Maildir/.Bounces/cur
  bouncewatch decode --json /var/mail/shop.mbox.gz > bounces.jsonl
  bouncewatch decode --lang ja testdata/examples

オプション:
`

var decodeFlagsJa = map[string]string{
	"json":    "JSON Lines で書き出す。バウンスした宛先ごとに 1 オブジェクト（形式は README）",
	"all":     "バウンスでないメッセージや読めなかったメッセージも 1 件ずつ記録する",
	"lang":    "説明の言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）",
	"workers": "同時にデコードするメッセージの数",
	"stats":   "最後に処理速度（件/秒、MB/秒）と最大メモリ使用量を表示する",
}

const importHelpJa = `使い方: bouncewatch import [--store DSN | --config ファイル] [--mail パス...] [--sendlog パス...] [--dmarc パス...] [--domain ドメイン...]

'bouncewatch serve' が監視するストアに、手元のファイルから過去の分を取り込みます。
こうしておくと、監視を始めた最初の 1 分から過去の流れと比べて判定できます。
バウンスは 'decode' が読める形ならどれでも（メッセージのファイル、Maildir、mbox、
.gz）、送信ログは 'scan' が読める形ならどれでも（Postfix、Exim、Sendmail、CSV の
件数、ローテートや圧縮されたファイル。ディレクトリはその中のメールログ）読みます。
ログの行はそのまま保存し、検知の際に解析します。

DMARC 集計レポート（RFC 7489 付録 C と DMARCbis の XML。そのまま、.gz/.zip、
またはレポートのメールそのもの）は --dmarc のフォルダーやファイルから取り込み、
--mail のメッセージの中にあっても見分けます。レポートは送信元の組織とレポート ID
ごとに 1 回だけ保存し、壊れたものはエラーと一緒に保存します。ドメインと日ごとの
集計は GET /api/v1/dmarc で見られます。

各メッセージは、serve の検知が保持する要約（ダイジェスト）と一緒に保存します。
要約は serve の設定に合わせて作ります（--config: serve が使う設定ファイル。
ない場合は serve をフラグだけで動かしたときの既定: ローカルのタイムゾーン、
中継サーバーの指定なし、ストアに記録されたドメイン）。こうしておくと serve の
最初の起動で全メッセージをデコードし直さずに済みます。

二度実行しても同じものは二度保存しません（メッセージは内容とファイル上の位置ごとに
1 回、ログの行は位置ごとに 1 回）。デコードできないメッセージはエラーと一緒に
保存します（'bouncewatch serve' と GET /api/v1/stats で見られます）。読めない
ファイルがあれば、そのことを表示して取り込みを続けます（終了ステータス 1）。

ストアは DSN で指定します: sqlite:パス（既定: $XDG_DATA_HOME/bouncewatch/
bouncewatch.db）か postgres://ユーザー@ホスト:ポート/DB。PostgreSQL のパスワードは
PGPASSWORD か ~/.pgpass から読みます。コマンドラインには決して書かないでください。

例:
  bouncewatch import --mail ~/Maildir/.Bounces --sendlog /var/log/mail.log* --domain example.jp
  bouncewatch import --store sqlite:/var/lib/bouncewatch/bw.db --mail bounces.mbox.gz
  bouncewatch import --dmarc ~/dmarc-reports/

オプション:
`

var importFlagsJa = map[string]string{
	"lang":    msgLangFlagJa,
	"mail":    "取り込むバウンス（繰り返し可）",
	"sendlog": "取り込む送信ログ（繰り返し可）",
	"dmarc":   "取り込む DMARC 集計レポート: ファイル（.xml、.gz、.zip、レポートのメール）かフォルダー（繰り返し可）",
	"domain":  "自社のメールドメイン。検知のためストアに記録します（繰り返し可、カンマ区切りも可）",
	"store":   "ストア: sqlite:パス か postgres://…",
	"config":  "serve の設定ファイル: そのストアと、要約を作る際のドメイン・中継サーバー・タイムゾーン",
	"workers": "同時にデコードして保存するメッセージの数",
}

const suppressionsHelpJa = `使い方: bouncewatch suppressions [--store DSN] [--format csv|json] [--account アカウント]

'bouncewatch serve' と 'bouncewatch import' が貯めたストアから、送信アカウントごとに
恒久的エラー（宛先のユーザーやドメインがない、移転した、null MX など、送り直しても
決して届かないもの）になった宛先を一覧にします。最後のエラーの理由、最初と最後の
バウンスの日時、回数も付きます。次のメール配信の前に顧客リストから外すための一覧です。

ストアは DSN で指定します: sqlite:パス か postgres://…（パスワードは PGPASSWORD か
~/.pgpass から。コマンドラインには書きません）。

例:
  bouncewatch suppressions --account shop@example.jp > remove.csv
  bouncewatch suppressions --format json | jq -r '.recipient'

オプション:
`

var suppressionsFlagsJa = map[string]string{
	"lang":    msgLangFlagJa,
	"store":   "ストア: sqlite:パス か postgres://…",
	"format":  "csv（見出し行付き）か json（JSON Lines）",
	"account": "この送信アカウント（バウンスが返ってきたアドレス）の分だけ",
}

const reprocessHelpJa = `使い方: bouncewatch reprocess [--store DSN]

ストアに保存したすべてのメッセージを、保存してある元の形（このために圧縮して
残しています）からデコードし直し、事実とバウンスの記録を置き換えます。bouncewatch を
更新した後、以前は読めなかった、あるいはうまく読めなかったバウンスにも新しい
デコーダーの結果が入ります。保存期間が過ぎて元の形が消えたメッセージは、今の事実を
そのまま残します。動いている serve は次の起動時に変更を読み込みます。

ストアは DSN で指定します: sqlite:パス か postgres://…（パスワードは PGPASSWORD か
~/.pgpass から）。

例:
  bouncewatch reprocess
  bouncewatch reprocess --store sqlite:/var/lib/bouncewatch/bw.db

オプション:
`

var reprocessFlagsJa = map[string]string{
	"lang":  msgLangFlagJa,
	"store": "ストア: sqlite:パス か postgres://…",
}

const serveHelpJa = `使い方: bouncewatch serve [--config bouncewatch.toml] [オプション]
       bouncewatch serve --demo

バウンスの受信箱と送信ログを常時監視します。届いたメッセージとログの行はすべて
ストアに保存し、scan と同じ分析をその都度行い、アカウントが乗っ取られたり、
アドレスがなりすまされたりしたときにインシデント（判定、確からしさ、根拠、
始まった時刻）を開きます。通知は Webhook とメールに送り、JSON API でインシデント、
アカウント、バウンス、時系列を見られます。

よくある使い方はオプションだけで設定できます:
  bouncewatch serve --store sqlite:/var/lib/bouncewatch/bw.db \
      --maildir /home/shop/Maildir --sendlog /var/log/mail.log --domain example.jp \
      --listen 127.0.0.1:8025 --webhook https://hooks.example/…

  bouncewatch serve --demo      # 組み込みのシナリオを早送りで流します。自前のサーバーは不要です

パスワードなどの秘密はコマンドラインに書きません: API トークンは
BOUNCEWATCH_API_TOKEN_FILE か BOUNCEWATCH_API_TOKEN から（どちらもなければ作って、
ストアの隣のファイル 'api-token' に保存します）、--imap のアカウントのパスワードは
BOUNCEWATCH_IMAP_PASSWORD_FILE か BOUNCEWATCH_IMAP_PASSWORD から、SMTP リレーと
Webhook の秘密は設定ファイルが指定するファイルか環境変数から読みます。
入力ごとの設定例と systemd のユニットは README にあります。

SIGTERM か Ctrl-C で安全に止まります: 入力を止め、書きかけの保存を確定し、
HTTP サーバーは処理中の要求を終えてから閉じます。

オプション:
`

var serveFlagsJa = map[string]string{
	"config":         "設定ファイル（TOML）。オプションはこれに追加されます",
	"store":          "ストア: sqlite:パス か postgres://…",
	"listen":         "API、/healthz、/metrics の HTTP アドレス（既定 127.0.0.1:8025）",
	"maildir":        "監視する Maildir（繰り返し可）",
	"sendlog":        "追いかけて読む送信ログのファイル（繰り返し可）",
	"imap":           "監視する IMAP フォルダー: imaps://ユーザー@ホスト/INBOX（繰り返し可。パスワードは BOUNCEWATCH_IMAP_PASSWORD[_FILE] から）",
	"webhook":        "通知を送る Webhook の URL（繰り返し可）",
	"domain":         "自社のメールドメイン（繰り返し可、カンマ区切りも可）",
	"webhook-format": "--webhook に送る内容の形式: generic、slack、teams",
	"lmtp":           "LMTP の配送を受けるアドレス（ホスト:ポート か Unix ソケットのパス）",
	"syslog":         "syslog の行を受けるアドレス（UDP と TCP、ホスト:ポート）",
	"lang":           "根拠と通知の言語: ja か en（既定: ロケールから）",
	"tz":             "時刻表示と、オフセットのないログ時刻のタイムゾーン（既定: このマシンの設定）",
	"log-format":     "標準エラーに出すログの形式: text か json",
	"demo":           "組み込みのシナリオを一時的なストアに早送りで流す",
	"scenario":       "--demo のシナリオ",
	"speed":          "--demo の時計の速さ（120 なら 1 時間が 30 秒）",
}

// withStoreDefault gives ja with the --store description naming the
// default store of this machine (it depends on the environment).
func withStoreDefault(ja map[string]string, dsn string) map[string]string {
	out := make(map[string]string, len(ja))
	for k, v := range ja {
		out[k] = v
	}
	if v, ok := out["store"]; ok {
		out["store"] = v + "（既定値 " + dsn + "）"
	}
	return out
}

// msgLangFlag is the --lang flag of the commands whose only words are
// their messages (langOf reads it before the flags are parsed).
const msgLangFlagEn = "language of the messages: ja or en (default: from LC_ALL, LC_MESSAGES, LANG)"

const msgLangFlagJa = "メッセージの言語: ja か en（既定: LC_ALL、LC_MESSAGES、LANG から）"

// badLang reports an unknown --lang value; it gives 0 when v is empty or
// a language, else 2 after saying why.
func badLang(w io.Writer, cmd string, l advice.Lang, v string) int {
	if v == "" {
		return 0
	}
	if _, err := advice.ParseLang(v); err != nil {
		say(w, cmd, l, msgBadLang, err)
		return 2
	}
	return 0
}

// demoChangeJa names an incident's change (store.Change*) in Japanese.
var demoChangeJa = map[string]string{
	store.ChangeOpened:  "発生",
	store.ChangeUpdated: "更新",
	store.ChangeClosed:  "終了",
}

// changeIn gives the change in l (the stored word when it has no name).
func changeIn(l advice.Lang, change string) string {
	if l == advice.Japanese && demoChangeJa[change] != "" {
		return demoChangeJa[change]
	}
	return change
}
