package web

import (
	"fmt"
	"net/url"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/report"
)

// words are the dashboard's own fixed texts in one language; the words it
// shares with the reports (verdicts, chart, reasons, plan) come from
// package report and package advice.
type words struct {
	Lang, OtherLang, OtherLangName                                      string
	Overview, Incidents, Bounces, Domain, Sources, Suppressions, Logout string
	Login, User, Password, LoginHint, LoginFailed, SignIn               string
	Skip, Live, Details, TableView, Range24h, Range7d, Range30d         string
	NoReport, AllClear, Since, Confidence, OpenIncident, LatestBounce   string
	Time, Recipient, Account, Status, Hard, Soft, Any, Search, Filter   string
	Next, Newer, NoBounces, Raw, Download, Explanation, Action          string
	Facts, Headers, DiagnosticCode, RemoteMTA, ReplyCode, DecodedBy     string
	Timeline, Opened, Updated, Closed, Onset, Ticked, Unticked          string
	MarkDone, MarkUndone, DoneBy, MakePassword, PasswordNote            string
	Copy, Check, Proposed, Findings, NoDomains, RecordName, Type        string
	Value, Why, Kind, Connected, Disconnected, LastItem, Items, Lag     string
	LastError, NoSources, CSV, NoSuppressions, First, Last, Count       string
	InternalError, NotFound, RequestID, Open, None, From, To, Apply     string
	Received, Evidence, MissingEvidence, Plan, Original, NoIncidents    string
	ReturnedMessage, BounceMessage, Undecodable, SearchHint             string
	AlertSent, AlertFailed, BouncesSince                                string
	Held, HeldBlock, HeldIncident, Release, Block, BlockReason          string
	Released, Blocked, Deferred                                         string
}

func wordsFor(l advice.Lang) words {
	if l == advice.Japanese {
		return words{
			Lang: "ja", OtherLang: "en", OtherLangName: "English",
			Overview: "概要", Incidents: "インシデント", Bounces: "バウンス", Domain: "ドメイン", Sources: "取り込み元", Suppressions: "配信停止リスト", Logout: "ログアウト",
			Login: "ログイン", User: "ユーザー名", Password: "パスワード", LoginHint: "API トークンでログインする場合はユーザー名を空欄にして、パスワード欄にトークンを入れてください。",
			LoginFailed: "ユーザー名またはパスワードが違います。", SignIn: "ログイン",
			Skip: "本文へ移動", Live: "自動更新中", Details: "詳細", TableView: "表で見る", Range24h: "24 時間", Range7d: "7 日", Range30d: "30 日",
			NoReport: "まだ分析結果がありません。メールとログの取り込みを待っています。", AllClear: "問題は見つかっていません：バウンスは通常の配信エラーです。",
			Since: "開始", Confidence: "確信度", OpenIncident: "インシデントを開く", LatestBounce: "最新のバウンス",
			Time: "日時", Recipient: "宛先", Account: "アカウント", Status: "ステータス", Hard: "恒久的", Soft: "一時的", Any: "すべて", Search: "検索", Filter: "絞り込み",
			Next: "次のページ", Newer: "最初のページ", NoBounces: "該当するバウンスはありません。", Raw: "元のメッセージ", Download: "ダウンロード",
			Explanation: "説明", Action: "対処", Facts: "解析結果", Headers: "元のメッセージのヘッダー", DiagnosticCode: "診断コード", RemoteMTA: "相手のサーバー",
			ReplyCode: "応答コード", DecodedBy: "解析方式",
			Timeline: "経過", Opened: "検知", Updated: "更新", Closed: "終了", Onset: "開始", Ticked: "完了", Unticked: "未完了に戻す",
			MarkDone: "完了にする", MarkUndone: "未完了に戻す", DoneBy: "完了", MakePassword: "新しいパスワードを作る",
			PasswordNote: "パスワードはこのブラウザーの中だけで作られ、サーバーには送られません。",
			Copy:         "コピー", Check: "確認する", Proposed: "提案するレコード", Findings: "確認結果", NoDomains: "ドメインが設定されていません。", RecordName: "名前", Type: "種類",
			Value: "値", Why: "理由", Kind: "種類", Connected: "接続中", Disconnected: "停止中", LastItem: "最後の受信", Items: "件数", Lag: "遅れ",
			LastError: "最後のエラー", NoSources: "稼働中の取り込み元はありません。", CSV: "CSV でダウンロード", NoSuppressions: "恒久的なバウンスはありません。",
			First: "最初", Last: "最後", Count: "件数",
			InternalError: "内部エラーが発生しました。詳細はサーバーのログにあります。", NotFound: "見つかりません。", RequestID: "要求 ID",
			Open: "対応中", None: "なし", From: "開始", To: "終了", Apply: "適用",
			Received: "経由したサーバー", Evidence: "根拠", MissingEvidence: "不足している証拠", Plan: "対応手順", Original: "返送されたメッセージ",
			NoIncidents: "インシデントはありません。", ReturnedMessage: "返送されたメッセージ", BounceMessage: "バウンス通知", Undecodable: "解析できなかったメッセージ", SearchHint: "宛先アドレスの先頭、または @ドメイン", AlertSent: "通知を送信", AlertFailed: "通知の送信に失敗",
			Held: "このアカウントの送信は、解除するまで停止しています。", HeldBlock: "管理者によるブロック", HeldIncident: "乗っ取りの判定による保留",
			Release: "送信を再開する（解除）", Block: "ブロックする", BlockReason: "理由", Released: "送信停止を解除", Blocked: "ブロック", Deferred: "送信を保留",
		}
	}
	return words{
		Lang: "en", OtherLang: "ja", OtherLangName: "日本語",
		Overview: "Overview", Incidents: "Incidents", Bounces: "Bounces", Domain: "Domain", Sources: "Sources", Suppressions: "Suppressions", Logout: "Log out",
		Login: "Log in", User: "User name", Password: "Password", LoginHint: "To log in with the API token, leave the user name empty and put the token in the password field.",
		LoginFailed: "Wrong user name or password.", SignIn: "Log in",
		Skip: "Skip to content", Live: "live", Details: "Details", TableView: "As a table", Range24h: "24 h", Range7d: "7 days", Range30d: "30 days",
		NoReport: "No analysis yet: waiting for mail and log lines.", AllClear: "All clear: the bounces are ordinary delivery failures.",
		Since: "since", Confidence: "Confidence", OpenIncident: "Open the incident", LatestBounce: "Latest bounces",
		Time: "Time", Recipient: "Recipient", Account: "Account", Status: "Status", Hard: "hard", Soft: "soft", Any: "any", Search: "Search", Filter: "Filter",
		Next: "Next page", Newer: "First page", NoBounces: "No bounces match.", Raw: "Original message", Download: "Download",
		Explanation: "What it means", Action: "What to do", Facts: "Decoded facts", Headers: "Headers of the returned message", DiagnosticCode: "Diagnostic code", RemoteMTA: "Remote server",
		ReplyCode: "Reply code", DecodedBy: "Decoded by",
		Timeline: "Timeline", Opened: "opened", Updated: "updated", Closed: "closed", Onset: "onset", Ticked: "done", Unticked: "undone",
		MarkDone: "Mark done", MarkUndone: "Mark not done", DoneBy: "Done", MakePassword: "Make a new password",
		PasswordNote: "The password is made in this browser only; it never reaches the server.",
		Copy:         "Copy", Check: "Check", Proposed: "Proposed records", Findings: "Findings", NoDomains: "No domain is configured.", RecordName: "Name", Type: "Type",
		Value: "Value", Why: "Why", Kind: "Kind", Connected: "connected", Disconnected: "down", LastItem: "Last item", Items: "Items", Lag: "Lag",
		LastError: "Last error", NoSources: "No live source is running.", CSV: "Download as CSV", NoSuppressions: "No hard bounces.",
		First: "First", Last: "Last", Count: "Count",
		InternalError: "Internal error; the server log has the details.", NotFound: "Not found.", RequestID: "Request ID",
		Open: "open", None: "none", From: "From", To: "To", Apply: "Apply",
		Received: "Servers passed", Evidence: "Evidence", MissingEvidence: "Missing evidence", Plan: "What to do", Original: "Returned message",
		NoIncidents: "No incidents.", ReturnedMessage: "Returned message", BounceMessage: "Bounce notice", Undecodable: "Undecodable message", SearchHint: "start of an address, or @domain", AlertSent: "alert sent", AlertFailed: "alert failed",
		Held: "Sending is paused for this account until you release it.", HeldBlock: "blocked by an admin", HeldIncident: "held as hijacked",
		Release: "Release", Block: "Block", BlockReason: "Reason", Released: "released", Blocked: "blocked", Deferred: "deferred",
	}
}

// banner says the state of the worst account in one sentence.
func banner(l advice.Lang, v advice.Verdict, account, since string) string {
	ja := l == advice.Japanese
	switch v {
	case advice.Hijacked:
		if ja {
			return fmt.Sprintf("%s は %s から乗っ取られているようです — 今すぐパスワードを変更してください", account, since)
		}
		return fmt.Sprintf("%s appears hijacked since %s — change its password now", account, since)
	case advice.Mixed:
		if ja {
			return fmt.Sprintf("%s は %s から乗っ取られ、なりすましにも使われているようです — 今すぐパスワードを変更してください", account, since)
		}
		return fmt.Sprintf("%s appears hijacked and forged since %s — change its password now", account, since)
	case advice.Spoofed:
		if ja {
			return fmt.Sprintf("%s のアドレスが %s から第三者に詐称されています — 当方のサーバーからは送られていません", account, since)
		}
		return fmt.Sprintf("%s is being forged by others since %s — the mail is not leaving through your server", account, since)
	case advice.InsufficientEvidence:
		if ja {
			return fmt.Sprintf("%s のバウンスが増えていますが、判断材料が足りません — 対応手順を確認してください", account)
		}
		return fmt.Sprintf("%s has more bounces than usual, but the evidence is not enough to tell why — see the plan", account)
	}
	return report.VerdictText(advice.Ordinary, l).Meaning
}

// when writes t in loc: "2026-11-02 02:14 JST"; "-" for zero.
func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04 MST")
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func itoa(n int64) string { return fmt.Sprint(n) }
