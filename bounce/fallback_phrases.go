package bounce

// The phrase lists of the last-resort reader (fallback.go) and of the
// bounce-or-not rules (notbounce.go). Every entry is lower case; entries
// with non-ASCII letters are compared against a lower-cased copy of the text,
// ASCII ones in place (indexFold).
//
// They are written from the public texts of the mail systems that send
// notices in each language, not from any one sample:
//   - English: RFC 3461/3464 terminology, the Sendmail, Postfix (bounce(5)
//     templates), Exim (exim.conf "bounce_message_text"), qmail
//     (qmail-send "Hi. This is the qmail-send program") and Microsoft
//     Exchange/Outlook NDR texts ("Delivery has failed to these recipients
//     or groups", learn.microsoft.com "Email non-delivery reports and SMTP
//     errors in Exchange Online");
//   - French, German, Spanish, Portuguese, Italian, Dutch: the localised
//     Exchange/Outlook NDRs ("Non remis", "Unzustellbar", "No se puede
//     entregar", "Não é possível entregar", "Non recapitabile",
//     "Onbestelbaar"), Postfix and Exim localisations shipped by hosting
//     companies, GMX/WEB.DE ("Mail delivery failed"/"Zustellung
//     fehlgeschlagen"), Orange/Free ("Échec de la remise"), Telefónica,
//     UOL/Terra ("Falha na entrega"), Aruba/Libero ("mancato recapito"),
//     KPN/Ziggo ("kon niet worden afgeleverd");
//   - Japanese: docomo/au/SoftBank and ISP notices (「宛先不明」「送信できませんでした」
//     「配信できませんでした」), Japanese Exchange NDRs (「配信不能」「配信できません」);
//   - Chinese: QQ/Tencent Exmail and NetEase 163.com 「系统退信」「退信」
//     「无法投递」「未能成功送达」 (service.mail.qq.com, help.mail.163.com),
//     Traditional Chinese Exchange NDRs 「無法傳遞」;
//   - Russian: mail.ru and Yandex notices («Сообщение не доставлено»,
//     «Недоставленное сообщение»), Russian Exchange NDRs («Не удается
//     доставить»).

// failureWords are the words in which a notice's subject or opening says
// that delivery failed, in the languages our users receive notices in.
var failureWords = []string{
	// English
	"undeliverable", "undelivered", "undeliverable mail", "not delivered", "could not be delivered",
	"couldn't be delivered", "cannot be delivered", "can't be delivered", "could not deliver",
	"couldn't deliver", "unable to deliver", "failed to deliver", "delivery failed", "delivery failure",
	"delivery has failed", "delivery problem", "delivery error", "delivery status notification (failure)",
	"failure notice", "failed permanently", "permanent error", "permanent failure", "permanent fatal error",
	"returned mail", "returning message to sender", "mail delivery failed", "message not delivered",
	"non-delivery", "nondelivery", "non delivery", "did not reach", "no valid recipients",
	"message was rejected", "message has been rejected", "mail was rejected", "email was rejected",
	"e-mail was rejected", "message was bounced", "returned to sender", "bounced mail", "bounced message",
	"delivery notification: delivery has failed", "mail system error", "had delivery errors",
	"could not be sent", "message was not sent", "was not delivered", "wasn't delivered",
	"mail failure", "delivery aborted", "was aborted after", "trouble delivering", "problem delivering", "error sending your", "there was an error sending",
	"wasn't able to deliver", "was not able to deliver", "not able to deliver", "while attempting to deliver",
	// The reason itself as a subject or an opening: MDaemon's "Warning:
	// <addr> - User unknown!" and "<addr> - no such user here."; Dovecot's
	// LDA and Sieve "reject" (RFC 5429 section 2.1), "Automatically rejected
	// mail" / "Your message to <addr> was automatically rejected:".
	"user unknown", "unknown user", "no such user", "automatically rejected", "failed mail",
	"while trying to deliver", "error delivering", "delivery status notification: error",
	"delivery status notification: failure", "recipients failed", "recipient failed", "failed to these recipients", "delivery to the following recipient failed",
	// A local delivery agent's own refusal of an address it does not
	// know, in automatic notices that carry no other failure words:
	// qmail-local's "Sorry, no mailbox here by that name. (#5.1.1)" (qmail
	// source, qmail-local.c) and the ":fail:" texts of Exim redirect
	// routers ("That's not a valid user here", Exim specification,
	// chapter 22 "The redirect router", section on :fail:).
	"no mailbox here by that name", "not a valid user", "not a valid recipient", "not a valid mailbox",
	// French (Exchange "Non remis", Orange/Free/OVH notices)
	"non remis", "n'a pas pu être remis", "n'a pas pu être délivré", "n'a pas pu être distribué",
	"la remise à ces destinataires ou groupes a échoué", "a échoué", "échec de la remise", "échec de remise", "échec de la distribution", "impossible de remettre",
	"non distribuable", "message non délivré", "erreur de distribution", "n'a pas été remis",
	// German (Exchange "Unzustellbar", GMX/WEB.DE, T-Online)
	"unzustellbar", "nicht zustellbar", "nicht zugestellt", "konnte nicht zugestellt werden",
	"zustellung fehlgeschlagen", "ist fehlgeschlagen", "fehler bei der zustellung", "zustellungsfehler", "nicht ausgeliefert",
	// Spanish (Exchange "No se puede entregar", Telefónica, Latin American hosts)
	"no se puede entregar", "no se pudo entregar", "no se ha podido entregar", "no pudo ser entregado",
	"no entregado", "error al entregar", "imposible entregar", "error de entrega", "falló la entrega", "fallo en la entrega",
	"mensaje devuelto", "no se entregó",
	// Portuguese (Exchange "Não é possível entregar", UOL, Terra, Locaweb)
	"não é possível entregar", "não foi possível entregar", "não pôde ser entregue", "não entregue",
	"falha na entrega", "falha de entrega", "não foi entregue", "mensagem devolvida",
	// Italian (Exchange "Non recapitabile", Aruba, Libero, Virgilio)
	"non recapitabile", "non recapitato", "non è stato possibile recapitare", "impossibile recapitare",
	"mancato recapito", "errore di consegna", "consegna non riuscita", "non è stato recapitato",
	"non consegnato", "recapito non riuscito",
	// Dutch (Exchange "Onbestelbaar", KPN, Ziggo)
	"onbestelbaar", "kon niet worden afgeleverd", "niet afgeleverd", "bezorging mislukt", "bezorging is mislukt",
	"kan niet worden bezorgd", "kon niet worden bezorgd", "niet bezorgd", "aflevering mislukt",
	// Japanese (carriers, ISPs, Japanese Exchange NDRs)
	"配信できません", "配信できませんでした", "配送できません", "配送できませんでした", "届きませんでした",
	"送信できませんでした", "配信に失敗", "配送に失敗", "送信に失敗", "宛先不明", "エラーメール", "配信不能",
	"配送不能", "配信エラー", "配送エラー", "届けることができませんでした", "配信されませんでした", "未配信",
	"送信エラー", "返送されました",
	// Chinese (QQ/Tencent, NetEase 163/126, Sina, Traditional Chinese Exchange)
	"退信", "无法传递", "无法投递", "无法送达", "未能送达", "未能成功送达", "投递失败", "发送失败", "邮件被退回", "无法发送",
	"無法傳遞", "無法投遞", "傳送失敗", "未送达", "投遞失敗",
	// Korean (Naver, Daum/Kakao and Korean Exchange NDRs: "메일 발송 실패",
	// "전송되지 못했습니다")
	"발송 실패", "전송 실패", "배달 실패", "전송되지 못했습니다", "전달되지 못했습니다", "전송할 수 없습니다",
	"반송된 메일",
	// Russian (mail.ru, Yandex, Rambler, Russian Exchange NDRs)
	"не доставлено", "не может быть доставлено", "не удалось доставить", "недоставленное",
	"ошибка доставки", "не был доставлен", "невозможно доставить", "не удается доставить",
	"не удаётся доставить", "не может быть доставлен",
}

// delayWords say that delivery is delayed, not yet failed (RFC 3464
// "delayed" reports written as prose: Exim "has not yet been delivered",
// Gmail "Delivery to the following recipient has been delayed", Sendmail
// "Warning: could not send message for past 4 hours").
var delayWords = []string{
	"has not yet been delivered", "not yet been delivered", "has been delayed", "delivery delayed",
	"delivery is delayed", "is delayed", "delayed for more than", "delivery status notification (delay)", "could not send mail for past",
	"could not send message for past", "will be retried", "will continue to try", "still trying",
	"attempts will continue", "will continue to attempt", // Exim "Delivery attempts will continue for some time", gateways' "Delivery attempts will continue to be made for 5 day(s)"
	"remise différée", "verzögert", "zustellung verzögert", "entrega retrasada", "entrega atrasada",
	"consegna ritardata", "bezorging vertraagd", "配信遅延", "配送遅延", "投递延迟", "延迟投递", "задерж",
}

// permanentWords say that a notice reports a permanent failure, whatever
// delay it also mentions.
var permanentWords = []string{
	"permanent error", "permanent failure", "failed permanently", "permanently", "given up", "gave up",
	"giving up", "permanent fatal",
}

// recipientIntros are the phrases after which a notice names the addresses
// that failed: on the same line ("could not be delivered to <a@b>"), or on
// the lines that follow ("The following addresses failed:" and a list).
var recipientIntros = []string{
	// English
	"could not be delivered to", "couldn't be delivered to", "cannot be delivered to", "not delivered to",
	"undeliverable to", "undelivered to", "unable to deliver to", "could not deliver to",
	"failed to deliver to", "delivery to the following recipient", "delivery to these recipients",
	"delivery has failed to these recipients", "delivery to the following", "delivery failed:",
	"delivery failed for", "delivery failure for", "did not reach the following", "did not reach",
	"the following address", "the following addresses", "the following recipient", "the following recipients",
	"the following user", "following destination", "not yet been delivered", "has been delayed",
	"list of recipients", "delivering your mail to", "delivering your message to", "deliver your message to",
	"deliver your mail to", "delivery to", "failed recipient", "failed recipients", "failed address",
	"failed addresses", "failed to the following", "intended recipient", "original recipient",
	"final recipient", "bad recipient", "invalid recipient", "rejected recipient", "unknown recipient",
	"unknown user", "recipient address", "recipient:", "recipients:", "rcpt to:", "had delivery errors",
	"permanent fatal errors", "your message to", "the message you sent to", "your e-mail to",
	"your email to", "the e-mail account that you tried to reach", "no such user", "user unknown",
	"you sent mail to", "you sent a message to", "your mail to",
	"target address", "target mail address", "target e-mail address", "target email address",
	"destination address", "destination mailbox",
	// L-Soft LSMTP/LISTSERV nondelivery reports ("X-Report-Type:
	// Nondelivery", one "Error-for: <addr>" line per failed address) and
	// the notices that name the address a local alias came from
	// ("(Originally addressed to <addr>)").
	"error-for:", "originally addressed to",
	// "The following message, addressed to '<addr>', failed" (Demon
	// Internet), Mimecast "an email ... addressed to email address :
	// -- <addr>".
	"addressed to", "message was addressed",
	// French
	"destinataire", "n'a pas pu être remis à", "non remis à", "à l'adresse", "adresse suivante",
	"adresses suivantes",
	// German
	"empfänger", "an folgende", "folgende adresse", "folgenden adresse", "zustellung an",
	// Spanish and Portuguese ("destinatario" also Italian)
	"destinatario", "destinatário", "la siguiente dirección", "las siguientes direcciones",
	"seguinte endereço", "seguintes endereços", "entregar a", "entregar para", "entregue para",
	// Italian
	"destinatari", "seguente indirizzo", "seguenti indirizzi", "recapitare a", "recapitato a",
	// Dutch
	"ontvanger", "volgende adres", "volgende adressen", "afgeleverd aan", "bezorgd aan",
	// Japanese
	"宛先", "あて先", "受信者", "送信先", "受取人", "以下のアドレス", "次のアドレス", "下記のアドレス",
	// Chinese
	"收件人", "收信人", "收件地址", "以下地址", "下列地址", "以下收件人", "收件者", "指定的地址",
	// Korean
	"받는 사람", "수신자", "수신인",
	// Russian
	"получател", "следующим адресам", "следующему адресу", "адресату", "адресатам",
}

// failureOnLine are words that, on the same line as an address, say that
// delivery to it failed. The reason tables (reason.FromText) are tried too;
// these add the short words that alone are too vague to classify a reason.
var failureOnLine = []string{
	"unknown", "failed", "failure", "rejected", "refused", "denied", "invalid", "does not exist",
	"doesn't exist", "not found", "undeliverable", "unreachable", "quota", "over quota", "disabled",
	"inconnu", "n'existe pas", "introuvable", "refusé", "unbekannt", "existiert nicht", "abgelehnt",
	"desconocido", "no existe", "rechazado", "desconhecido", "não existe", "recusado", "sconosciuto",
	"non esiste", "rifiutato", "onbekend", "bestaat niet", "geweigerd", "存在しません", "見つかりません",
	"不明", "拒否", "不存在", "被拒绝", "拒绝", "не существует", "неизвестн", "отклонен", "не найден",
	"존재하지 않", "거부",
}

// returnedMarkers are the words of a separator line before a returned
// message quoted in a notice's text (Sendmail "----- Original message
// follows -----", Exim "------ This is a copy of the message, including
// all the headers. ------", qmail "--- Below this line is a copy of the
// message.", Exchange "Original message headers:").
var returnedMarkers = []string{
	"original message", "returned message", "message text follows", "copy of the message",
	"copy of your message", "original text", "headers of the original", "header of the original",
	"original message headers", "unsent message", "message follows", "message headers follow",
	"below this line", "message header follows", "bounced e-mail", "bounced email", "bounced message",
	"old message", // Windows SMTP service (CDO) "--- Non-Delivery Report --- ... Old message:"
	"message d'origine", "ursprüngliche nachricht", "originalnachricht", "mensaje original",
	"mensagem original", "messaggio originale", "oorspronkelijk bericht", "oorspronkelijke bericht",
	"元のメッセージ", "元メッセージ", "原文", "原始邮件", "原邮件", "原始郵件", "исходное сообщение",
	"оригинальное сообщение",
}

// challengeWords are the words of challenge-response and sender
// verification requests (Boxbe "Request to join my Guest List", SpamArrest,
// Mailblocks, the "please verify you are human" of hosted anti-spam
// services): a person must prove they exist before the mail is passed on.
// These are not delivery failures (issue 7 section 2).
var challengeWords = []string{
	"please verify you are human", "verify that you are human", "verify you are a human",
	"prove you are human", "prove that you are human", "confirm that you are a real person",
	"confirm you are a real person", "guest list", "approved senders list", "approved sender list",
	"add you to my whitelist", "add you to my white list", "added to the whitelist", "whitelist request",
	"white list request", "challenge-response", "challenge response", "sender verification request",
	"verification request", "please verify your email", "please verify your e-mail", "boxbe",
	"spamarrest", "spam arrest", "mailblocks", "to have your message delivered, please",
	"click the link below to verify", "click on the link below to verify", "one-time verification",
	"bestätigen sie, dass sie ein mensch", "confirmez que vous êtes", "verifique que usted es",
	"承認リクエスト", "送信者確認",
	// Boxbe's DSN-shaped hold notice ("Diagnostic-Code: X-Boxbe-Notice;
	// Sender not pre-approved", "Your message ... has been waitlisted")
	// and Bluebottle's verification request ("have your address added to
	// the recipient's allowed list"), as their public notices word them.
	"sender not pre-approved", "has been waitlisted", "was waitlisted",
	"added to the recipient's allowed list", "added to the recipient's allowed senders",
}

// listCommandWords are the words of a list server's reply to commands or
// to a posting (Mailman "The results of your email commands", Majordomo,
// LISTSERV, Sympa, fml "Command Status Report", moderation notices).
var listCommandWords = []string{
	"results of your email command", "results of your e-mail command", "command results",
	"command status report", "majordomo results", "mailman results", "listserv command",
	"awaits moderator approval", "awaiting moderator approval", "held for moderation",
	"post to moderated list", "confirm your subscription", "subscription request",
	"unsubscribe request", "welcome to the", "you have been subscribed", "you have been unsubscribed",
	"コマンドの結果", "コマンド処理結果",
}

// listServerSenders are local parts (or their endings) of list servers'
// own addresses.
var listServerSenders = []string{
	"-request", "-bounces", "-owner", "-ctl", "majordomo", "listserv", "mailman", "sympa",
	"listproc", "ecartis", "fml", "owner-",
}

// successWords say in a subject that a message was delivered (RFC 3464
// "delivered" or "relayed" reports written as prose: Exchange "Delivered:",
// "Relayed:", Gmail and others "Delivery Status Notification (Success)").
// Compared with the start of the subject, except the parenthesised ones.
var successSubjects = []string{
	"delivered:", "relayed:", "delivery status notification (success)", "successful mail delivery report",
	"delivery report: delivered", "zugestellt:", "remis :", "remis:", "entregado:", "entregue:",
	"recapitato:", "bezorgd:", "配信完了", "配達完了", "доставлено:", "已送达", "投递成功",
}

// successOpenings say in a notice's opening that delivery succeeded.
var successOpenings = []string{
	"your message has been delivered to the following", "your message was delivered to the following",
	"delivery to the following recipients was successful", "delivery to the following recipient was successful",
	"delivery to these recipients or groups is complete", "has been successfully delivered",
	"was successfully delivered", "was delivered successfully", "successfully relayed",
	"message was delivered to", "has been delivered to the following",
}

// vacationOpenings are the first words of out-of-office replies.
var vacationOpenings = []string{
	"i am out of the office", "i'm out of the office", "i will be out of the office", "i am currently out of",
	"i am away", "i'm away", "i am on vacation", "i'm on vacation", "i am on leave", "thank you for your email. i am",
	"je suis absent", "je serai absent", "ich bin nicht im büro", "ich bin abwesend", "ich bin bis", "nicht im büro",
	"estoy fuera de la oficina", "me encuentro fuera", "estou fora do escritório", "estou ausente",
	"sono fuori ufficio", "sarò assente", "ik ben afwezig", "ik ben niet aanwezig",
	"不在にしております", "不在にしています", "休暇を頂いて", "休暇をいただいて", "我目前不在", "正在休假",
	"я в отпуске", "меня нет в офисе", "нахожусь в отпуске",
	// More of the first person's words of absence: English, German
	// ("ich bin vom 3. bis 9. ... nicht erreichbar", "befinde mich im
	// Urlaub"), French ("je suis actuellement absente"), Japanese
	// (「出張のため不在」「休暇のため不在」「不在のため」).
	"i am out of office", "i'm out of office", "i will be out of office", "i am currently away",
	"i'm currently away", "i will be away", "i'll be away", "i am travelling", "i'm travelling",
	"i am traveling", "i'm traveling", "i am currently travelling", "i am currently traveling",
	"limited access to email", "limited access to e-mail", "ich bin vom", "ich bin derzeit nicht",
	"ich bin zurzeit nicht", "befinde mich im urlaub", "bin ich nicht im büro", "nicht erreichbar",
	"je suis actuellement absent", "je suis en congé", "je suis en vacances", "出張のため不在", "休暇のため不在",
	"不在のため", "不在にしており", "休暇中のため", "出張中のため", "お休みをいただいて", "我正在休假", "休假中",
	"不在辦公室",
}

// ndrSubjects are the subjects, lower-cased, with which mail systems open
// their non-delivery reports: Exchange and Outlook ("Undeliverable:",
// "Non-Delivery:" and the localised "Unzustellbar:", "Non remis :", "No se
// puede entregar:", "Não é possível entregar:", "Non recapitabile:",
// "Onbestelbaar:", 「配信不能:」, 「無法傳遞:」, «Не доставлено:»), Sendmail
// ("Returned mail:"), Postfix ("Undelivered Mail Returned to Sender"),
// qmail ("failure notice"), Exim ("Mail delivery failed"), the DSN
// subjects of Google and Exchange ("Delivery Status Notification
// (Failure)") and the antivirus gateways' "Delivery failure notification".
// A subject that opens so was written by a machine; a person's reply or
// forward opens with "Re:" or "Fwd:". A bare "Delivery failure:" is not
// among them: a parcel service writes it too.
var ndrSubjects = []string{
	"undeliverable:", "undeliverable mail", "undelivered mail returned to sender", "non-delivery:",
	"non-delivery report", "nondeliverable", "returned mail:", "returned mail -", "failure notice",
	"mail delivery failed", "delivery status notification (failure)", "delivery failure notification",
	"unzustellbar:", "non remis :", "non remis:", "no se puede entregar:",
	"não é possível entregar:", "non recapitabile:", "onbestelbaar:", "配信不能:", "無法傳遞:",
	"не доставлено:",
}
