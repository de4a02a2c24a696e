package reason

// The phrase tables: for each reason, lower-case fragments of real error
// messages that MTAs and mailbox providers return. Texts are lower-cased and
// blank-collapsed before they are matched (see normalize), so a fragment
// never contains upper-case letters or double blanks.
//
// Japanese fragments are those of Japanese carriers and hosting services
// (NTT docomo, au/KDDI, SoftBank, Biglobe, Nifty, Sakura and the like).

var userUnknownPhrases = &phrases{
	any: []string{
		// Coremail (the system of NetEase 163/126 and many Chinese
		// companies), its published bounce texts: icoremail.vip support
		// category "退信" ("unavailable mail user", "local server don't
		// exists that user", "not user of this server", "recipient does not
		// have an account"), and "User x is not found in Server".
		"unavailable mail user", "local server don't exists that user", "not user of this server",
		"recipient does not have an account", "is not found in server",
		// Postfix (local, virtual, relay recipient tables)
		"recipient address rejected: user unknown",
		"recipient address rejected: unknown user",
		"recipient address rejected: invalid user",
		"recipient address rejected: userunknown",
		"recipient address rejected: invalid-recipient",
		"recipient address rejected: access denied",
		"user unknown",
		"unknown user",
		// Sendmail, Exim, qmail, Courier, OpenSMTPD
		"no such user",
		"no such mailbox",
		"no such recipient",
		"no such address here",
		"no such person at this address",
		"unknown recipient",
		"unknown mailbox",
		"unknown address",
		"address unknown",
		"recipient unknown",
		"user not known",
		"sorry, no mailbox here by that name",
		"sorry, badrcptto",
		"this recipient is in my badrecipientto list",
		"this recipient is not in my validrcptto list",
		"your envelope recipient is in my badrcptto list",
		"sorry, your envelope recipient has been denied",
		"that domain or user isn't in my list of allowed rcpthosts",
		"vdeliver: invalid or unknown virtual user",
		"user missing home directory",
		"invalid or unknown virtual user",
		// generic wording
		"address does not exist",
		"address not present in directory",
		"email address could not be found",
		"email address does not exist",
		"mailbox does not exist",
		"mailbox not found",
		"mailbox not present",
		"mailbox invalid",
		"mailbox is inactive",
		"mailbox is unavailable",
		"mailbox unavaiable",
		"invalid mailbox",
		"invalid recipient",
		"invalid address",
		"is not a valid mailbox",
		"is not a known user",
		"is not an active address at this host",
		"not a valid recipient",
		"not a valid user here",
		"not a local address",
		"no mailbox found",
		"no mailbox by that name is currently available",
		"no mail box available for this user",
		"no account by that name here",
		"no valid recipients",
		"recipient does not exist",
		"recipient not found",
		"recipient not exist",
		"recipient not ok",
		"recipient is not local",
		"recipient is not accepted",
		"recipient refuses to accept your mail",
		"destination addresses were unknown",
		"destination server rejected recipients",
		"the following recipients was undeliverable",
		"user does not exist",
		"user not exist",
		"user not found",
		"user not active",
		"the user's email name is not found",
		"there is no one at this address",
		"this email address is wrong or no longer valid",
		"this spectator does not exist",
		"can't accept user",
		"does not exist.",
		"not email addresses",
		"#5.1.1 bad address",
		"550 address invalid",
		"5.1.0 address rejected.",
		"no thank you rejected: account unavailable",
		"requested action not taken: mailbox unavailable",
		// Google, Microsoft ("The recipient name is not recognized": the
		// non-delivery report text of Exchange 5.5/2000, Microsoft
		// Knowledge Base articles on Exchange NDRs)
		"the email account that you tried to reach does not exist",
		"the recipient name is not recognized",
		// Outlook/Exchange Online non-delivery reports ("Email
		// non-delivery reports in Exchange Online", learn.microsoft.com),
		// English and localised: "The email address you entered couldn't
		// be found", « L'adresse de messagerie que vous avez entrée est
		// introuvable », „Die eingegebene E-Mail-Adresse wurde nicht
		// gefunden", "No se encontró la dirección de correo electrónico"
		"email address you entered couldn't be found", "email address you entered could not be found",
		"adresse de messagerie que vous avez entrée est introuvable",
		"e-mail-adresse wurde nicht gefunden", "no se encontró la dirección de correo",
		"resolver.adr.recipientnotfound",
		"resolver.adr.recipient notfound",
		"recipient address rejected. (in reply to rcpt to command)",
		// phquery, the ph/CSO directory mailer of universities ("Returned
		// mail - nameserver error report"): no directory entry, or one
		// with no mailbox to deliver to.
		"no matches to nameserver query", "does not have a final email delivery point",
		// other languages
		"nessun utente simile in questo indirizzo", // Italian
		"no existe dicha persona",                  // Spanish
		"no existe ese usuario ",
		"utilisateur inconnu", // French
		"weil die adresse nicht gefunden wurde oder keine e-mails empfangen kann", // German
		// French, German, Spanish, Portuguese, Italian, Dutch: the wording of
		// localised Postfix/Exim/Exchange notices ("Adresse inconnue",
		// "Empfänger unbekannt", "Usuario desconocido", "Usuário
		// desconhecido", "Utente sconosciuto", "Onbekende gebruiker").
		"adresse inconnue", "destinataire inconnu", "adresse n'existe pas", "utilisateur inexistant",
		"compte n'existe pas", "boîte aux lettres n'existe pas", "boite aux lettres n'existe pas",
		"adresse introuvable", "destinataire introuvable",
		"unbekannter empfänger", "empfänger unbekannt", "benutzer unbekannt", "unbekannter benutzer",
		"adresse existiert nicht", "postfach existiert nicht", "benutzer existiert nicht",
		"usuario desconocido", "destinatario desconocido", "usuario no existe", "cuenta no existe",
		"buzón no existe", "dirección no existe",
		"usuário desconhecido", "utilizador desconhecido", "destinatário desconhecido", "usuário não existe",
		"conta não existe", "endereço não existe", "caixa postal não existe",
		"utente sconosciuto", "destinatario sconosciuto", "utente non esiste", "indirizzo inesistente",
		"casella inesistente", "utente inesistente",
		"onbekende gebruiker", "onbekende ontvanger", "gebruiker bestaat niet", "adres bestaat niet",
		"mailbox bestaat niet", "postvak bestaat niet",
		// Chinese: QQ/Tencent Exmail and NetEase (163.com) notices, "用户不存在"
		// (user does not exist), "收件人不存在" (recipient does not exist).
		"用户不存在", "收件人不存在", "邮箱不存在", "帐户不存在", "账户不存在", "地址不存在", "帳號不存在",
		"用戶不存在", "收件人地址不存在",
		// Korean: Naver and Daum notices ("존재하지 않는 사용자", the user does
		// not exist; "존재하지 않는 메일 주소", the address does not exist)
		"존재하지 않는 사용자", "존재하지 않는 계정", "존재하지 않는 메일 주소", "존재하지 않는 주소", "존재하지 않는 이메일",
		// Russian: mail.ru and Yandex notices ("нет такого пользователя",
		// "пользователь не найден"); sentence-initial capitals are not
		// lowered by normalize, so the fragments start mid-sentence.
		"пользователь не существует", "нет такого пользователя", "такого пользователя нет",
		"адрес не существует", "ящик не существует", "несуществующий адрес", "неизвестный пользователь",
		"пользователь не найден", "адресат не найден",
		// Japanese
		"宛先不明",
		"宛先のメールアドレスが見つかりません",
		"存在しないメールアドレス",
		"存在しないユーザ",
		"存在しないアカウント",
		"このメールアドレスは存在しません",
		"メールアドレスが存在しません",
		"ユーザは存在しません",
		"ユーザーは存在しません",
		"ユーザが存在しません",
		"ユーザーが存在しません",
		"アカウントが存在しません",
		"宛先が存在しません",
		"該当するユーザーがいません",
	},
	seq: [][]string{
		{"<", "> not found"},
		{"<", ">... blocked by "},
		{"account ", " does not exist at the organization"},
		{"bad", "recipient"},
		{"mailbox ", "does not exist"},
		{"mailbox ", "unavailable or access denied"},
		{"no ", " in name directory"},
		{"non", "existent user"},
		{"rcpt <", " does not exist"},
		{"rcpt (", "t exist "},
		{"recipient ", " was not found in"},
		{"this user doesn't have a ", " account"},
		{"unknown e", "mail address"},
		{"unknown local", "part"},
		{"user ", " was not found"},
		{"user ", " does not exist"},
		{"user (", ") unknown"},
		{"adresse d au moins un destinataire invalide", "416"}, // Orange, La Poste
		// French notices: « L'adresse de messagerie référencée ci-dessus
		// n'existe pas » (the wording of French Exchange/MIMEsweeper NDRs),
		// « l'adresse électronique … n'existe pas ».
		{"adresse de messagerie", "n'existe pas"}, {"adresse électronique", "n'existe pas"},
	},
}

var filteredPhrases = &phrases{
	any: []string{
		"account is protected by",
		"bounced address",           // SendGrid: the address bounced before
		"has restricted sms e-mail", // AT&T
		"is not accepting any mail",
		"message filtered",
		"message rejected due to user rules",
		"not found recipient account",
		"recipient id refuse to receive mail",                            // Willcom
		"recipient is only accepting mail from specific email addresses", // AOL
		"refused due to recipient preferences",                           // Facebook
		"user refuses to receive this mail",
		"user reject",
		"you have been blocked by the recipient",
		// Japanese: the recipient's reception filter
		"受信拒否",
		"受信を拒否",
		"指定受信",
	},
}

var mailboxFullPhrases = &phrases{
	any: []string{
		// Coremail and 21cn (Chinese hosts' bounce references:
		// "Quota exceed the hard limit for user", "552 This person's
		// account is exceeding their quota")
		"quota exceed the hard limit", "account is exceeding their quota",
		"mailbox full",
		"mailbox is full",
		"mailbox size limit exceeded",
		"mailbox exceeds allowed size",
		"mailbox would exceed maximum allowed storage",
		"mailfolder is full",
		"full mailbox",
		"quota violation for",
		"user has exceeded quota",
		"user is over quota",
		"user has too many messages on the server",
		"user's space has been used up",
		"exceeded storage allocation",
		"account disabled temporarly for exceeding receiving limits",
		"boite du destinataire pleine", // French
		"too much mail data",           // NTT docomo
		"inbox is out of storage space",
		// French, German, Spanish, Portuguese, Italian, Dutch (localised
		// notices: "Boîte aux lettres pleine", "Postfach voll", "Buzón
		// lleno", "Caixa postal cheia", "Casella piena", "Postvak vol")
		"boîte aux lettres pleine", "boite aux lettres pleine", "boîte pleine", "boîte de réception pleine",
		"quota dépassé", "postfach ist voll", "postfach voll", "postfach des empfängers ist voll",
		"speicherplatz überschritten", "quota überschritten", "speicherkontingent überschritten",
		"buzón lleno", "buzón está lleno", "cuota excedida", "caixa postal cheia", "caixa postal está cheia",
		"caixa postal do destinatário está cheia", "caixa de correio cheia", "caixa de entrada cheia",
		"cota excedida", "casella piena", "casella di posta piena", "casella è piena", "quota superata",
		"spazio esaurito", "mailbox is vol", "postvak vol", "postvak is vol",
		// Chinese (QQ/Tencent, NetEase): "邮箱已满" (mailbox full)
		"邮箱已满", "邮箱空间不足", "信箱已满", "邮箱容量已满", "郵箱已滿", "信箱已滿",
		// Korean (Naver, Daum): "메일함 용량 초과" (mailbox over quota)
		"메일함 용량 초과", "메일함이 가득", "메일함 용량이 초과", "용량이 부족",
		// Russian (mail.ru, Yandex): "ящик переполнен" (mailbox full)
		"ящик переполнен", "превышена квота", "ящик заполнен",
		// Japanese
		"容量超過",
		"容量オーバー",
		"容量がいっぱい",
		"容量が一杯",
		"容量を超え",
		"メールボックスがいっぱい",
		"メールボックスが一杯",
	},
	seq: [][]string{
		{"account is ", " quota"},
		{"disk", "quota"},
		{"enough ", " space"},
		{"mailbox ", "exceeded", " limit"},
		{"mailbox ", "full"},
		{"mailbox ", "quota"},
		{"maildir ", "quota"},
		{"over ", "quota"},
		{"quota ", "exceeded"},
		{"メールボックス", "容量"},
	},
}

var mesgTooBigPhrases = &phrases{
	any: []string{
		"exceeded maximum inbound message size",
		"exceeded the maximum incoming message size",
		"line limit exceeded",
		"max message size exceeded",
		"message file too big",
		"message length exceeds administrative limit",
		"message size exceeds fixed limit",
		"message size exceeds fixed maximum message size",
		"message size exceeds maximum value",
		"message size exceeds limit",
		"message too big",
		"message is too big",
		"message is too large",
		"size limit",
		"taille limite du message atteinte", // French
		// Japanese
		"サイズが大きすぎ",
		"サイズ制限",
		"サイズの上限",
	},
}

var exceedLimitPhrases = &phrases{
	any: []string{
		"message header size exceeds limit",
		"message too large",
	},
}

var suspendPhrases = &phrases{
	any: []string{
		// Coremail ("User disabled"), Sina ("550 user is locked"):
		// published lists of their SMTP replies
		"user disabled", "user is locked", "user is forbided",
		" is currently suspended",
		" temporary locked",
		"archived recipient",
		"boite du destinataire archivee",
		"email account that you tried to reach is disabled",
		"email account that you tried to reach is inactive",
		"has been suspended",
		"inactive account",
		"invalid/inactive user",
		"is a deactivated mailbox", // Tencent
		"is unavailable: user is terminated",
		"mailbox currently suspended",
		"mailbox disabled",
		"mailbox is frozen",
		"mailbox unavailable or access denied",
		"recipient rejected: temporarily inactive",
		"recipient suspend the service",
		"this account has been disabled or discontinued",
		"this address no longer accepts mail",
		"this mailbox is disabled",
		"user or domain is disabled",
		"user suspended", // 163.com
		"account is locked",
		"account is disabled",
		// A mailbox closed for disuse: the expiry notices of ISP and
		// webmail mailboxes (Spanish and Portuguese as Latin American
		// providers write them: "esta casilla ha expirado por falta de
		// uso"); the words are those of a mailbox's state, not of a
		// message's queue lifetime (expired). "Account" alone is left
		// out: an expired account is also the sender's own at AUTH.
		"mailbox has expired",
		"casilla ha expirado", "buzón ha expirado", "buzon ha expirado",
		"caixa postal expirou",
		// Novell GroupWise: the user's account expiration date has passed
		// ("User account is expired", GroupWise administration guide,
		// account expiration)
		"user account is expired", // the recipient's account, in a notice about it
		// Japanese
		"利用停止",
		"一時停止",
	},
}

var hasMovedPhrases = &phrases{
	any: []string{
		" has been replaced by ",
		"recipient no longer on server",
		"address has moved",
		"mailbox has moved",
	},
}

var noRelayingPhrases = &phrases{
	any: []string{
		"as a relay",
		"insecure mail relay",
		"is not permitted to relay through this server without authentication",
		"mail server requires authentication when attempting to send to a non-local e-mail address", // MailEnable
		"no relaying",
		"not a gateway",
		"not allowed to relay through this machine",
		"not an open relay, so get lost",
		"not local host",
		"relay access denied",
		"relay denied",
		"relay not permitted",
		"relaying denied",
		"relaying mail to ",
		"relaying not allowed",
		"relay prohibited",
		"specified domain is not allowed",
		"that domain isn't in my list of allowed rcpthost",
		"this system is not configured to relay mail",
		"unable to relay ",
		"we don't handle mail for",
		"email address is not verified.",
	},
}

var authFailurePhrases = &phrases{
	any: []string{
		// Google, "Gmail SMTP errors and codes" (support.google.com/a/answer/3726730),
		// 5.7.26: "This mail has been blocked because the sender is unauthenticated"
		"sender is unauthenticated",
		"//spf.pobox.com",
		"bad spf records for",
		"dmarc policy",
		"dmarc verification",
		"doesn't meet the required authentication level",
		"please inspect your spf settings",
		"sender policy framework (spf) fail",
		"sender policy framework violation",
		"spf (sender policy framework) domain authentication fail",
		"spf check: fail",
		"spf validation failed",
		"the 5322.from address doesn't meet the authentication requirements",
		"senders to authenticate with either spf or dkim",
		"spf/dns de votre nom de domaine", // Orange
	},
	seq: [][]string{
		{" is not allowed to send mail.", "_401"},
		{"is not allowed to send from <", " per it's spf record"},
	},
}

var requirePTRPhrases = &phrases{
	any: []string{
		"access denied. ip name lookup failed",
		"all mail servers must have a ptr record with a valid reverse dns entry",
		"bad dns ptr resource record",
		"cannot find your hostname",
		"cannot resolve your address.",
		"fix reverse dns for ",
		"ips with missing ptr records",
		"no ptr record found.",
		"please get a custom reverse dns name from your isp for your host",
		"ptr record setup",
		"reverse dns failed",
		"reverse dns required",
		"sender ip reverse lookup rejected",
		"does not have a ptr record",
		"the corresponding forward dns entry does not point to the sending ip",
		"this system will not accept messages from servers/devices with no reverse dns",
		"unresolvable relay host name",
		"we do not accept mail from hosts with dynamic ip or generic dns ptr-records",
		"must have a reverse dns record",
	},
	seq: [][]string{
		{"domain ", " mismatches client ip"},
		{"dns lookup failure: ", " try again later"},
		{"reverse dns lookup for host ", " failed permanently"},
		{"server access ", " forbidden by invalid rdns record of your mail server"},
		{"service permits ", " unverifyable sending ips"},
	},
}

var notCompliantRFCPhrases = &phrases{
	any: []string{
		"duplicate header",
		"this message is not rfc 5322 compliant",
		"is not rfc 5322 compliant",
		"rfcmessagenoncompliant",
		"headers are not rfc compliant",
		"missing a valid address in the from: header",
		"missing a valid message-id: header",
		// A message without a destination header, which RFC 822 section
		// 4.1 required and some servers still refuse (CommuniGate Pro:
		// "Messages without To: fields are not accepted here").
		"messages without to: fields", "message without to: field", "missing to: header", "no to: header",
	},
	seq: [][]string{
		{" multiple ", " header"},
	},
}

var badReputationPhrases = &phrases{
	any: []string{
		// NetEase (163.com) error codes: "HL:REP" the IP sends to many
		// unknown recipients (abnormal behaviour)
		"hl:rep",
		"a poor email reputation score",
		"has been temporarily rate limited due to ip reputation",
		"ip/domain reputation problems",
		"likely suspicious due to the very low reputation",
		"very low reputation of the sending",
		"none/bad reputation", // t-online.de
		"the sending mta's poor reputation",
		"temporarily deferred due to unexpected volume or user complaints", // Yahoo TSS04
	},
}

var contentErrorPhrases = &phrases{
	any: []string{
		"header size exceeds maximum permitted",
		"improper use of 8-bit data in message header",
		"message header size, or recipient list, exceeds policy limit",
		"message mime complexity exceeds the policy maximum",
		"routing loop detected -- too many received: headers",
		"this message contain invalid mime headers",
		"this message contain improperly-formatted binary content",
		"this message contain text that uses unnecessary base64 encoding",
	},
}

var rejectedPhrases = &phrases{
	// "address rejected" below would also match these, which are about the
	// recipient or the client, not the sender.
	unless: []string{
		"5.1.0 address rejected",
		"recipient address rejected",
		"sender ip address rejected",
	},
	any: []string{
		// Microsoft, "Email non-delivery reports and SMTP errors in
		// Exchange Online": 5.1.8 "Access denied, bad outbound sender",
		// 5.7.501 "Access denied, spam abuse detected", 5.7.502 "banned
		// sender" — the sending account itself is refused
		"bad outbound sender", "spam abuse detected", "access denied, banned sender",
		"access denied (in reply to mail from command)",
		"access denied (sender blacklisted)",
		"address rejected",
		"administrative prohibition",
		"batv failed to verify",                                               // SonicWall
		"batv validation failure",                                             // SonicWall
		"backscatter protection detected an invalid or expired email address", // MDaemon
		"because the sender isn't on the recipient's list of senders to accept mail from",
		"bogus mail from", // IMail
		"can't determine purported responsible address",
		"connections not accepted from servers without a valid sender domain",
		"denied [bouncedeny]", // McAfee
		"denied by secumail valid-address-filter",
		"delivery not authorized, message refused",
		"does not exist e2110",
		"domain of sender address ",
		"email address is on senderfilterconfig list",
		"emetteur invalide", // Orange
		"empty envelope senders not allowed",
		"envelope blocked - ",
		"error: no third-party dsns", // SpamWall
		"from: domain is invalid. please provide a valid from:",
		"fully qualified email address required", // McAfee
		"invalid domain, see <url:",
		"invalid sender",
		"is not a registered gateway user",
		"mail from not owned by user",
		"message rejected: email address is not verified",
		"mx records for ",
		"null sender is not allowed",
		"recipient addresses rejected : access denied",
		"recipient not accepted. (batv: no tag",
		"returned mail not accepted here",
		"rfc 1035 violation: recursive cname records for",
		"rule imposed mailbox access for", // MailMarshal
		"sending this from a different address or alias using the ",
		"sender address has been blacklisted",
		"sender email address rejected",
		"sender is in my black list",
		"sender is spammer",
		"sender not pre-approved",
		"sender rejected",
		"sender domain is empty",
		"sender verify failed",   // Exim callout
		"sender was rejected",    // qmail
		"spam reporting address", // SendGrid
		"syntax error: empty email address",
		"the message has been rejected by batv defense",
		"this server does not accept mail from",
		"transaction failed unsigned dsn for",
		"unroutable sender address",
		"you are not allowed to post to this mailing list",
		"you are not a member of this mailing list",
		"you may not have permission to post messages to the group", // Google Groups
		"you are sending to/from an address that has been blacklisted",
		"your access to submit messages to this e-mail system has been rejected",
		"your email address has been blacklisted", // MessageLabs
	},
}

var hostUnknownPhrases = &phrases{
	any: []string{
		"domain does not exist",
		"domain is not reachable",
		"domain must exist",
		"host or domain name not found",
		"host unknown",
		"host unreachable",
		"mail domain mentioned in email address is unknown",
		"name or service not known",
		"no such domain",
		"recipient address rejected: unknown domain name",
		"recipient domain must exist",
		"the account or domain may not exist",
		"unknown host",
		"unroutable address",
		"unrouteable address",
		"we weren't able to find the recipient domain",
		// French, German, Spanish, Portuguese, Italian, Dutch, Chinese, Russian
		"domaine inconnu", "domaine n'existe pas", "domaine introuvable", "domain existiert nicht",
		"unbekannte domain", "domäne existiert nicht", "dominio desconocido", "dominio no existe",
		"domínio desconhecido", "domínio não existe", "dominio inesistente", "dominio sconosciuto",
		"dominio non esiste", "domein bestaat niet", "onbekend domein", "域名不存在", "域名无法解析",
		"домен не существует", "несуществующий домен", "домен не найден",
		// Japanese
		"ドメインが存在しません",
		"ドメインは存在しません",
		"存在しないドメイン",
	},
	seq: [][]string{
		{"553 ", " does not exist"},
	},
}

var spamDetectedPhrases = &phrases{
	any: []string{
		// NetEase (163.com) error codes, help.mail.163.com: "DT:SPM" the
		// content looks like spam; Yandex: "Message rejected under
		// suspicion of SPAM"; Sina: "552 message rejected by anti-spam
		// engine"; Coremail: "blocked by NetEase AntiSpam"
		"dt:spm", "message rejected under suspicion of spam", "message rejected by anti-spam engine",
		"blocked by netease antispam",
		// Mimecast's rejection codes ("554 Email rejected due to security
		// policies - MCSpamSignature"): the message matched a spam
		// signature (Mimecast, "SMTP error codes" knowledge base)
		"mcspamsignature",
		// XWall's non-delivery reports: "Reason: Spam / The message seems
		// to be spam and was not delivered to the recipient" (XWall
		// documentation, NDR texts)
		"message seems to be spam", "message appears to be spam",
		" - spam",
		"//www.spamhaus.org/help/help_spam_16.htm",
		"//dsbl.org/help/help_spam_16.htm",
		"//mail.163.com/help/help_spam_16.htm",
		"554 5.7.0 reject, id=",
		"appears to be unsolicited",
		"blacklisted url in message",
		"block for spam",
		"blocked by policy: no spam please",
		"blocked by spamassassin",
		"blocked for abuse. see http://att.net/blocks", // AT&T
		"cannot be forwarded because it was detected as spam",
		"considered unsolicited bulk e-mail (spam) by our mail filters",
		"content filter rejection",
		"cyberoam anti spam engine has identified this email as a bulk email",
		"denied due to spam list",
		"high probability of spam",
		"is classified as spam and is rejected",
		"likely unsolicited mail",
		"listed in work.drbl.imedia.ru",
		"the mail server detected your message as spam and has prevented delivery.",
		"mail content denied", // Tencent
		"may consider spam",
		"message considered as spam or virus",
		"message contains spam or virus",
		"message content rejected",
		"message detected as spam",
		"message filtered",
		"message looks like spam",
		"message is being rejected as it seems to be a spam",
		"message refused by mailmarshal spamprofiler",
		"message refused by trustwave seg spamprofiler",
		"message rejected as spam",
		"message rejected because of unacceptable content",
		"message rejected due to suspected spam content",
		"message rejected for policy reasons",
		"message was rejected for possible spam/virus content",
		"our email server thinks this email is spam",
		"our system has detected that this message is ",
		"probable spam",
		"reject bulk.advertising",
		"rejected: spamassassin score ",
		"rejected - bulk email",
		"rejecting banned content",
		"rejecting mail content",
		"related to content with spam-like characteristics",
		"sender domain listed at ",
		"sending address not accepted due to spam filter",
		"spam blocked",
		"spam check",
		"spam content matched",
		"spam detected",
		"spam email",
		"spam message rejected.", // mail.ru
		"spam not accepted",
		"spam refused",
		"spam rejection",
		"spam score ",
		"spambouncer identified spam",
		"spamming not allowed",
		"too many spam complaints",
		"too much spam.", // EarthLink
		"the email message was detected as spam",
		"the message has been rejected by spam filtering engine",
		"the message was rejected due to classification as bulk mail",
		"the content of this message looked like spam", // SendGrid
		"this message appears to be spam",
		"this message has been identified as spam",
		"this message has been scored as spam with a probability",
		"this message was classified as spam",
		"this message was rejected by recurrent pattern detection system",
		"transaction failed spam message not queued", // SendGrid
		"we dont accept spam",
		"your email appears similar to spam we have received before",
		"your email breaches local uribl policy",
		"your email had spam-like ",
		"your email is considered spam",
		"your email is probably spam",
		"your email was detected as spam",
		"your message as spam and has prevented delivery",
		"your message has been temporarily blocked by our filter",
		"your message has been rejected because it appears to be spam",
		"your message has triggered a spam block",
		"your message may contain the spam contents",
		"your message failed several antispam checks",
		"email flagged as spam",
		// Japanese
		"迷惑メール",
	},
	seq: [][]string{
		{"greylisted", " please try again in"},
		{"mail score (", " over "},
		{"mail rejete. mail rejected. ", "506"},
		{"our filters rate at and above ", " percent probability of being spam"},
		{"rejected by ", " (spam)"},
		{"rejected due to spam ", "classification"},
		{"rejected due to spam ", "content"},
		{"rule imposed as ", " is blacklisted on"},
		{"spam ", " exceeded"},
		{"this message scored ", " spam points"},
	},
}

var speedingPhrases = &phrases{
	any: []string{
		"mail sent from your ip address has been temporarily rate limited",
		"please try again slower",
		"receiving mail at a rate that prevents additional messages from being delivered",
		"is receiving mail too quickly",
		"receiving mail too quickly",
		"due to excessive volume",
		"rate limit exceeded",
		"sending rate exceeded",
		"you are sending too fast",
		"too many messages this hour",
		"too many recipients this hour",
		"too many recipients per hour",
		"daily sending quota exceeded",
		"daily user sending limit exceeded",
		"daily smtp relay limit exceeded",
		"this mail has been rate limited",
	},
	// "connection rate limit exceeded" is too many connections, not speed.
	unless: []string{"connection rate limit exceeded"},
}

var tooManyConnPhrases = &phrases{
	any: []string{
		// NetEase (163.com) error codes: "HL:ICC" too many concurrent
		// connections from the IP
		"hl:icc",
		"all available ips are at maximum connection limit", // SendGrid
		"connection rate limit exceeded",
		"exceeds per-domain connection limit for",
		"has exceeded the max emails per hour ",
		"throttling failure: daily message quota exceeded",
		"throttling failure: maximum sending rate exceeded",
		"too many connections",
		"too many concurrent smtp connections", // Microsoft
		"too many errors from your ip",         // Free.fr
		"too many recipients",                  // NTT docomo
		"too many smtp sessions for this host", // Sendmail
		"trop de connexions, ",
		"max message per connection reached",
		"we have already made numerous attempts to deliver this message",
	},
}

var blockedPhrases = &phrases{
	any: []string{
		// Microsoft, "Email non-delivery reports and SMTP errors in
		// Exchange Online" (learn.microsoft.com), 5.7.708: "Access denied,
		// traffic not accepted from this IP"; Coremail "IP is rejected"
		"access denied, traffic not accepted from this ip", "ip is rejected",
		" said: 550 blocked",
		"//www.spamcop.net/bl.",
		"bad sender ip address",
		"banned sending ip", // Office 365
		"blacklisted by",
		"blocked using ",
		"blocked - see http",
		"dnsbl:attrbl",
		"client host rejected: abus detecte gu_eib_02", // SFR
		"client host rejected: abus detecte gu_eib_04", // SFR
		"client host rejected: may not be mail exchanger",
		"client host rejected: was not authenticated", // Microsoft
		"confirm this mail server",
		"connection dropped",
		"connection refused by",
		"connection reset by peer",
		"connection was dropped by remote host",
		"connections not accepted from ip addresses on spamhaus xbl",
		"currently sending spam see: ",
		"domain does not exist:",
		"dynamic/zombied/spam ips blocked",
		"error: no valid recipients from ",
		"esmtp not accepting connections", // iCloud
		"extreme bad ip profile",
		"go away",
		"helo command rejected:",
		"host network not allowed",
		"hosts with dynamic ip",
		"invalid ip for sending mail of domain",
		"is in a black list",
		"is not allowed to send mail from",
		"mailfrom domain is listed in spamhaus",
		"no access from mail server",
		"no matches to nameserver query",
		"not currently accepting mail from your ip", // Microsoft
		"part of their network is on our block list",
		"please use the smtp server of your isp",
		"refused - see http",
		"rejected - multi-blacklist", // junkemailfilter.com
		"rejected because the sending mta or the sender has not passed validation",
		"rejecting open proxy", // Sendmail
		"sender ip address rejected",
		"server access forbidden by your ip ",
		"service not available, closing transmission channel",
		"smtp error from remote mail server after initial connection:", // Exim
		"sorry, that domain isn't in my list of allowed rcpthosts",
		"sorry, your remotehost looks suspiciously like spammer",
		"to submit messages to this e-mail system has been rejected",
		"too many spams from your ip", // free.fr
		"too many unwanted messages have been sent from the following ip address above",
		"was blocked by ",
		"we do not accept mail from dynamic ips", // mail.ru
		"you are not allowed to connect",
		"you are sending spam",
		"your ip address is listed in the rbl",
		"your network is temporary blacklisted",
		"your server requires confirmation",
		"rejected due to listing in spamhaus",
		"rejected due to having a domain present in the spamhaus",
		"an unusual rate of unsolicited mail",
		"ip not in whitelist for rcpt domain",
		// The Spamhaus zones a DNSBL lookup names (spamhaus.org, "DNSBL
		// usage": ZEN returns SBL, CSS, XBL and PBL listings), as the
		// receiving MTA words them: "550 zen.spamhaus.org Listed by CSS".
		"listed by sbl", "listed by css", "listed by xbl", "listed by pbl",
	},
	seq: [][]string{
		{"(", "@", ":blocked)"},
		{"is listed in ", ".spamhaus.org"},
		{"access from ip address ", " blocked"},
		{"client host ", " blocked using"},
		{"connections will not be accepted from ", " because the ip is in spamhaus's list"},
		{"dnsbl:rbl ", ">_is_blocked"},
		{"email blocked by ", ".barracudacentral.org"},
		{"email blocked by ", "spamhaus"},
		{"host ", " refused to talk to me: ", " blocked"},
		{"ip ", " is blocked by earthlink"},
		{"is in an ", "rbl on "},
		{"mail server at ", " is blocked"},
		{"mail from ", " refused:"},
		{"mail from ", " refused, see ", "orbs"},
		{"message from ", " rejected based on blacklist"},
		{"messages from ", " temporarily deferred due to user complaints"}, // Yahoo
		{"server ip ", " listed as abusive"},
		{"sorry! your ip address", " is blocked by rbl"}, // junkemailfilter.com
		{"the domain ", " is blacklisted"},
		{"the email ", " is blacklisted"},
		{"the ip", " is blacklisted"},
		{"veuillez essayer plus tard. service refused, please try later. ", "103"},
		{"veuillez essayer plus tard. service refused, please try later. ", "510"},
		{"your access ip", " has been rejected"},
		{"your sender's ip address is listed at ", ".abuseat.org"},
	},
}

var virusDetectedPhrases = &phrases{
	any: []string{
		"it has a potentially executable attachment",
		"the message was rejected because it contains prohibited virus or spam content",
		"this form of attachment has been used by recent viruses or other malware",
		"virus detected",
		"virus phishing/malicious_url detected",
		"your message was infected with a virus",
		"message contains a virus",
		"infected with virus",
		// Japanese
		"ウイルスが検出",
		"ウィルスが検出",
	},
}

var policyViolationPhrases = &phrases{
	any: []string{
		"an illegal attachment on your message",
		"because the recipient is not accepting mail with ", // AOL
		"because they are not accepting mail with ",         // AOL, several recipients
		"by non-member to a members-only list",
		"closed mailing list",
		"denied by policy",
		"email not accepted for policy reasons",
		"email rejected due to security policies", // Mimecast
		"header are not accepted",
		"header error",
		"local policy violation",
		"message bounced due to organizational settings",
		"message given low priority",
		"message not accepted for policy reasons",
		"message rejected due to local policy",
		"messages with multiple addresses",
		"rejected for policy reasons",
		"protocol violation",
		"the email address used to send your message is not subscribed to this group",
		"the message was rejected by organization policy",
		"this message was blocked because its content presents a potential",
		"we do not accept messages containing images or other attachments",
		"you're using a mass mailer",
		"email policy violation detected", // Zoho
	},
	seq: [][]string{
		{"you have exceeded the", "allowable number of posts without solving a captcha"},
	},
}

var systemErrorPhrases = &phrases{
	any: []string{
		// HCL/IBM Domino router: a recipient name that matches several
		// entries of the Domino Directory cannot be routed (RFC 3463
		// X.1.4, "destination mailbox address ambiguous").
		"several matches found in domino directory",
		"several matches found in the domino directory",
		"aliasing/forwarding loop broken",
		"can't create user output file",
		"could not load drd for domain",
		"internal error reading data",                      // Microsoft
		"internal server error: operation now in progress", // Microsoft
		"interrupted system call",
		"it encountered an error while being processed",
		"it would create a mail loop",
		"local configuration error",
		"local error in processing",
		"loop was found in the mail exchanger",
		"loops back to myself",
		"mail system configuration error",
		"queue file write error",
		"recipient deferred because there is no mdb",
		"remote server is misconfigured",
		"server configuration error",
		"service currently unavailable",
		"system config error",
		"temporary local problem",
		"temporary system problem",
		"timeout waiting for input",
		// RFC 5321 section 4.2.3: "Transaction failed" is the text of a
		// 554 reply that names no cause (the receiving system failed it).
		"transaction failed",
	},
	seq: [][]string{
		{"unable to connect ", "daemon"},
	},
}

var networkErrorPhrases = &phrases{
	any: []string{
		"could not connect and send the mail to",
		"dns records for the destination computer could not be found",
		"hop count exceeded - possible mail loop",
		"host is unreachable",
		"host name lookup failure",
		"host not found, try again",
		"mail forwarding loop for ",
		"malformed name server reply",
		"malformed or unexpected name server reply",
		"maximum forwarding loop count exceeded",
		"message looping",
		"message probably in a routing loop",
		"no route to host",
		"too many hops",
		"unable to resolve route ",
		"unrouteable mail domain",
		"message exceeded 50 hops",
		"network error on destination mx",
		"dns query failed",
	},
}

var systemFullPhrases = &phrases{
	any: []string{
		"mail system full",
		"requested mail action aborted: exceeded storage allocation", // Exchange
		// The receiving system's disk, not the recipient's quota
		// (Sendmail "452 4.4.5 Insufficient disk space; try again later").
		"insufficient disk space",
		"not sufficient disk space",
		"no space left on device",
	},
}

var notAcceptPhrases = &phrases{
	any: []string{
		"does not accept mail (nullmx)",
		"host/domain does not accept mail", // iCloud
		"host does not accept mail",        // Sendmail
		"mail receiving disabled",
		"name server: .: host not found", // Sendmail
		"no mx record found for domain=", // Yahoo
		"no route for current request",
		"smtp protocol returned a permanent error",
		"null mx",
		// Exim, for a null MX (RFC 7505: the domain accepts no mail)
		"an mx or srv record indicated no smtp service",
	},
}

var expiredPhrases = &phrases{
	any: []string{
		"connection timed out",
		"could not find a gateway for",
		"delivery attempts will continue to be",
		"delivery expired",
		"delivery time expired",
		"failed to deliver to domain ",
		"giving up on",
		"have been failing for a long time",
		"has been delayed",
		"it has not been collected after",
		"message expired after sitting in queue for",
		"message expired, cannot connect to remote server",
		"message expired, connection refulsed",
		"message timed out",
		"retry time not reached for any host after a long failure period",
		"server did not respond",
		"this message has been in the queue too long",
		"unable to deliver message after multiple retries",
		"was not reachable within the allowed queue period",
		"your message could not be delivered for more than",
		"queue expired",
		"retry timeout exceeded",
		"envelope expired",
		"could not deliver for the last",
		"did not accept our requests to connect",
	},
	seq: [][]string{
		{"could not be delivered for", " days"},
		{"delivery failed ", " attempts"},
	},
}

var failedSTARTTLSPhrases = &phrases{
	any: []string{
		"starttls is required to send mail",
		"tls required but not supported", // SendGrid
		"must issue a starttls command first",
		"tls required for rcpt domain",
		"failed mta-sts validation",
		"starttls-not-supported:",
	},
}

var securityErrorPhrases = &phrases{
	any: []string{
		"account not subscribed to ses",
		"authentication credentials invalid",
		"authentication failure",
		"authentication required",
		"authentication turned on in your email client",
		"executable files are not allowed in compressed files",
		"insecure mail relay",
		"recipient address rejected: access denied",
		"sorry, you don't authenticate or the domain isn't in my list of allowed rcpthosts",
		"unauthenticated senders not allowed",
		"verification failure",
		"you are not authorized to send mail, authentication is required",
	},
	seq: [][]string{
		{"authentication failed; server ", " said: "}, // Postfix
		{"authentification invalide", "305"},          // Orange
		{"authentification requise", "402"},           // Orange
		{"domain ", " is a dead domain"},
		{"user ", " is not authorized to perform ses:sendrawemail on resource"},
	},
}

var suppressedPhrases = &phrases{
	any: []string{
		"address is on the suppression list",
		"suppression list",
	},
}

var mailerErrorPhrases = &phrases{
	any: []string{
		" || exit ",
		"procmail: ",
		"bin/procmail",
		"bin/maidrop",
		"command failed: ",
		"command died with status ",
		"command output:",
		"mailer error",
		"pipe to |/",
		"x-unix; ",
	},
}

var vacationPhrases = &phrases{
	any: []string{
		"i am away on vacation",
		"i am away until",
		"i am out of the office",
		"i will be traveling for work on",
		"out of office",
		"不在にして",
	},
}

// phraseTable maps each reason to its table. Read only.
var phraseTable = map[Reason]*phrases{
	AuthFailure:     authFailurePhrases,
	BadReputation:   badReputationPhrases,
	Blocked:         blockedPhrases,
	ContentError:    contentErrorPhrases,
	ExceedLimit:     exceedLimitPhrases,
	Expired:         expiredPhrases,
	FailedSTARTTLS:  failedSTARTTLSPhrases,
	Filtered:        filteredPhrases,
	HasMoved:        hasMovedPhrases,
	HostUnknown:     hostUnknownPhrases,
	MailboxFull:     mailboxFullPhrases,
	MailerError:     mailerErrorPhrases,
	MesgTooBig:      mesgTooBigPhrases,
	NetworkError:    networkErrorPhrases,
	NoRelaying:      noRelayingPhrases,
	NotAccept:       notAcceptPhrases,
	NotCompliantRFC: notCompliantRFCPhrases,
	PolicyViolation: policyViolationPhrases,
	Rejected:        rejectedPhrases,
	RequirePTR:      requirePTRPhrases,
	SecurityError:   securityErrorPhrases,
	SpamDetected:    spamDetectedPhrases,
	Speeding:        speedingPhrases,
	Suppressed:      suppressedPhrases,
	Suspend:         suspendPhrases,
	SystemError:     systemErrorPhrases,
	SystemFull:      systemFullPhrases,
	TooManyConn:     tooManyConnPhrases,
	UserUnknown:     userUnknownPhrases,
	Vacation:        vacationPhrases,
	VirusDetected:   virusDetectedPhrases,
}

// tableIndex numbers the reasons that have a table, for the per-call memo
// in facts. Built once at package initialisation, read only afterwards.
var tableIndex = func() map[Reason]int {
	m := make(map[Reason]int, len(phraseTable))
	for i, r := range All {
		if _, ok := phraseTable[r]; ok {
			m[r] = i
		}
	}
	return m
}()

// textSays reports whether the normalized text s matches the table of r.
func textSays(r Reason, s string) bool { return phraseTable[r].match(s) }

// says is textSays on the text of x, with each table matched at most once
// per classification.
func (x *facts) says(r Reason) bool {
	i, ok := tableIndex[r]
	if !ok {
		return false
	}
	switch x.memo[i] {
	case 1:
		return false
	case 2:
		return true
	}
	var v bool
	if x.slow {
		v = textSays(r, x.text)
	} else {
		v = bank.says(i, x.text, &x.hits)
	}
	x.memo[i] = 1
	if v {
		x.memo[i] = 2
	}
	return v
}
