/*
 * policy: every text the policy says, in Dutch, English, German and French
 * (part of the pure policy module, see policy_int.h and docs/policy.md,
 * "Texts").
 *
 * This file is data: one table for Dutch and English, one for German and
 * French, indexed by the text ids of policy_int.h, and the lookup that picks
 * a language's column (English where a language has no text). The unit test
 * tests/unit/test_texts.c reads them all through lk_policy_text() and checks
 * that the templates of one id take the same conversions in every language.
 */
#include "policy/policy_int.h"

#include <stddef.h>
#include <string.h>

/* The languages loket has its own texts in, in the order of the text
 * tables' columns. */
static const char *const spoken[] = {"nl", "en", "de", "fr"};
#define N_SPOKEN (sizeof spoken / sizeof spoken[0])
_Static_assert(N_SPOKEN == LK_POL_N_SPOKEN, "policy_int.h counts the spoken languages");

bool lk_policy_language_spoken(const char *lang)
{
    for (size_t i = 0; lang && i < N_SPOKEN; i++)
        if (strcmp(lang, spoken[i]) == 0)
            return true;
    return false;
}

/* Index 0 Dutch (B1, "je"), 1 English. Every Dutch text here is also in
 * tests/data/reviewed_nl.txt, the list of reviewed sentences that a unit test
 * holds them to (docs/policy.md, "Texts"). */
/* The ids (enum T_...) are in policy_int.h. */
static const char *const texts[T__COUNT][2] = {
    [T_GREETING] = {"Hallo! Ik ben de digitale assistent van onze klantenservice: een computerprogramma, geen mens. "
                    "Ik beantwoord je vragen met informatie uit onze kennisbank. Wil je liever met een medewerker "
                    "praten? Dat kan altijd: typ 'medewerker' of gebruik de knop voor een medewerker.",
                    "Hello! I am the automated assistant of our customer service: a computer program, not a person. "
                    "I answer your questions with information from our knowledge base. Would you rather talk to a "
                    "person? You can at any time: type 'person' or use the button to reach a person."},
    /* "Are you a bot?": the first word answers the question as asked. */
    [T_BOT_YES] = {"Ja, ik ben een chatbot: een digitale assistent, geen mens. Wil je met een medewerker praten? Typ "
                   "dan 'ja' of 'medewerker', of gebruik de knop.",
                   "Yes, I am a chatbot: an automated assistant, not a person. Would you like to talk to a person? "
                   "Type 'yes' or 'person', or use the button."},
    [T_DECLINE] = {"Sorry, dat weet ik niet. Ik kan alleen vragen beantwoorden waarover informatie in onze "
                   "kennisbank staat. Je kunt je vraag anders stellen. Wil je liever met een medewerker praten? "
                   "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                   "Sorry, I don't know this. I can only answer questions that our knowledge base has information "
                   "about. You can ask your question in another way. Would you rather talk to a person? Type 'yes' "
                   "or 'person', or use the button."},
    [T_FEEDBACK_Q] = {"Heeft dit je geholpen?", "Did this help?"},
    [T_MORE_INFO] = {"Meer informatie: ", "More information: "},
    [T_FEEDBACK_YES] = {"Fijn! Kan ik je nog ergens anders mee helpen?",
                        "Good to hear! Is there anything else I can help you with?"},
    [T_FEEDBACK_NO] = {"Jammer dat dit je niet verder hielp. Je kunt je vraag anders stellen. Wil je liever met een "
                       "medewerker praten? Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                       "Sorry that this did not help. You can ask your question in another way. Would you rather "
                       "talk to a person? Type 'yes' or 'person', or use the button."},
    [T_OFFER_NO] = {"Prima. Stel je vraag gerust op een andere manier.",
                    "All right. Feel free to ask your question in another way."},
    [T_HELLO] = {"Hallo! Waar kan ik je mee helpen?", "Hello! What can I help you with?"},
    [T_THANKS] = {"Graag gedaan! Kan ik je nog ergens anders mee helpen?",
                  "You're welcome! Is there anything else I can help you with?"},
    /* The closing reply: warm, short, and the human route stays in sight. */
    [T_BYE] = {"Prima, fijne dag nog!", "All right, have a nice day!"},
    [T_BYE_THANKS] = {"Graag gedaan, fijne dag nog!", "You're welcome, have a nice day!"},
    [T_BYE_TAIL] = {"Heb je later nog een vraag? Stel die hier gerust. Met een medewerker praten kan ook altijd: "
                    "typ 'medewerker' of gebruik de knop.",
                    "If you have another question later, just ask it here. You can also talk to a person at any "
                    "time: type 'person' or use the button."},
    /* A bare "ok" when the bot asked nothing (after the greeting, say). */
    [T_ACK] = {"Prima. Stel gerust je vraag. Met een medewerker praten kan ook altijd: typ 'medewerker' of gebruik "
               "de knop.",
               "All right. Just ask your question. You can also talk to a person at any time: type 'person' or use "
               "the button."},
    [T_ASK] = {"Stel je vraag maar.", "Go ahead and ask your question."},
    [T_WHY_REQUEST] = {"Je gesprek gaat naar een medewerker.",
                       "Your conversation is being passed to a person from our team."},
    [T_WHY_FAILURE] = {"De digitale assistent kan je vraag niet goed beantwoorden. Daarom gaat je gesprek naar een "
                       "medewerker.",
                       "The automated assistant cannot answer your question well, so your conversation is being "
                       "passed to a person from our team."},
    [T_WHY_LOOP] = {"Je stelt deze vraag niet voor het eerst, dus de digitale assistent helpt je niet verder. Daarom "
                    "gaat je gesprek naar een medewerker.",
                    "You have asked this more than once, so the automated assistant is not helping you. Your "
                    "conversation is being passed to a person from our team."},
    [T_WHY_NEGATIVE] = {"Het spijt ons dat het niet gaat zoals je wilt. Je gesprek gaat naar een medewerker.",
                        "We are sorry this is not going the way you want. Your conversation is being passed to a "
                        "person from our team."},
    [T_WHY_COMPLAINT] = {"Een klacht wordt behandeld door een medewerker, niet door de digitale assistent. Je gesprek "
                         "gaat naar een medewerker.",
                         "A complaint is handled by a person, not by the automated assistant. Your conversation is "
                         "being passed to a person from our team."},
    [T_WHY_COMPLEX] = {"Je stelt meerdere vragen tegelijk. Een medewerker kan die het best samen met je bekijken. "
                       "Je gesprek gaat naar een medewerker.",
                       "You are asking several things at once. A person can best go through them with you. Your "
                       "conversation is being passed to a person from our team."},
    [T_WHY_SENSITIVE] = {"Hierover praat je beter met een mens dan met een digitale assistent. Je gesprek gaat naar "
                         "een medewerker.",
                         "This is a subject for a person rather than an automated assistant. Your conversation is "
                         "being passed to a person from our team."},
    [T_TAIL] = {"Je kunt alvast meer vertellen: de medewerker ziet dit hele gesprek.",
                "You can already add details: the person will see this whole conversation."},
    [T_QUEUED] = {"Je staat in de wachtrij voor een medewerker.", "You are in the queue for a person from our team."},
    [T_QUEUED_TAIL] = {"Een medewerker leest je berichten zodra die er is.",
                       "A person will read your messages as soon as they are available."},
    [T_SOON] = {"Een medewerker helpt je zo snel mogelijk.", "A person will help you as soon as possible."},
    [T_AWAY_CLOSED] = {"Onze medewerkers zijn er nu niet.", "Our team is not available right now."},
    [T_AWAY_OFFLINE] = {"Er is op dit moment geen medewerker online.",
                        "No one from our team is online at the moment."},
    [T_AWAY_TAIL] = {"Je gesprek blijft in de wachtrij staan. Laat hier je vraag achter met je telefoonnummer of "
                     "e-mailadres, dan nemen we contact met je op.",
                     "Your conversation stays in the queue. Leave your question here with your phone number or "
                     "e-mail address and we will get back to you."},
    [T_BACK] = {"Er is weer een medewerker beschikbaar.", "A person from our team is available again."},
    [T_CALLBACK_HINT] = {"Laat je ook je telefoonnummer of e-mailadres achter? Dan kunnen we contact met je opnemen.",
                         "Would you also leave your phone number or e-mail address? Then we can get back to you."},
    [T_AGENT_JOINS] = {"Een medewerker neemt het gesprek nu over.",
                       "A person from our team is taking over the conversation now."},
    [T_AGENT_LEAVES] = {"De medewerker heeft het gesprek teruggezet in de wachtrij.",
                        "The person has put the conversation back in the queue."},
    [T_CLOSED] = {"Dit gesprek is afgesloten. Heb je nog een vraag? Stuur dan gerust een nieuw bericht.",
                  "This conversation has been closed. If you have another question, just send a new message."},
    /* Ask instead of guess (issue 15): "Gaat je vraag over A, B of C?" */
    [T_CHOICES_INTRO] = {"Ik weet niet zeker wat je bedoelt. Gaat je vraag over ",
                         "I am not sure what you mean. Is your question about "},
    [T_CHOICES_OR] = {" of ", " or "},
    [T_CHOICES_TAIL] = {"Kies een onderwerp, of 'Geen van deze' als het iets anders is. Met een medewerker praten kan "
                        "ook altijd: typ 'medewerker' of gebruik de knop.",
                        "Pick a subject, or 'None of these' if it is something else. You can also talk to a person "
                        "at any time: type 'person' or use the button."},
    /* Several questions, some without an answer (issue 15). */
    [T_PART_DECLINE] = {"Op deze vraag weet ik geen antwoord: ", "I don't have an answer to this question: "},
    [T_PART_DECLINE_MANY] = {"Op deze vragen weet ik geen antwoord: ", "I don't have an answer to these questions: "},
    [T_PART_DECLINE_TAIL] = {"Daarover staat niets in onze kennisbank. Wil je daarvoor met een medewerker praten? "
                             "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                             "Our knowledge base has no information about it. Would you like to talk to a person "
                             "about it? Type 'yes' or 'person', or use the button."},
    [T_BOT_NOT_PERSON] = {"Nee, ik ben geen mens: ik ben een digitale assistent, een computerprogramma. Wil je met een "
                          "medewerker praten? Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                          "No, I am not a person: I am an automated assistant, a computer program. Would you like to "
                          "talk to a person? Type 'yes' or 'person', or use the button."},
    [T_BOT_IS] = {"Ik ben een digitale assistent, geen mens: een computerprogramma. Wil je met een medewerker praten? "
                  "Typ dan 'ja' of 'medewerker', of gebruik de knop.",
                  "I am an automated assistant, not a person: a computer program. Would you like to talk to a person? "
                  "Type 'yes' or 'person', or use the button."},
    [T_WHY_LANGUAGE] = {"Ik heb hierop geen antwoord in jouw taal. Daarom gaat je gesprek naar een medewerker.",
                        "I have no answer to this in your language, so your conversation is being passed to a person "
                        "from our team."},
    [T_QUEUE_POS] = {"Je bent nummer %lld in de wachtrij.", "You are number %lld in the queue."},
    [T_WAIT_IS] = {"De verwachte wachttijd is %s.", "The expected wait is %s."},
    [T_DUR_LESS_1MIN] = {"minder dan een minuut", "less than a minute"},
    [T_DUR_LESS] = {"minder dan %s", "less than %s"},
    [T_DUR_ABOUT] = {"ongeveer %s", "about %s"},
    [T_DUR_RANGE] = {"%s tot %s", "%s to %s"},
    [T_DUR_1MIN] = {"1 minuut", "1 minute"},
    [T_DUR_MIN] = {"%lld minuten", "%lld minutes"},
    [T_DUR_1HOUR] = {"1 uur", "1 hour"},
    [T_DUR_HOURS] = {"%lld uur", "%lld hours"},
    [T_DUR_HALF] = {"%lld,5 uur", "%lld.5 hours"},
    [T_DUR_1HOUR_Q] = {"1 uur en %lld minuten", "1 hour and %lld minutes"},
    [T_DUR_HOURS_Q] = {"%lld uur en %lld minuten", "%lld hours and %lld minutes"},
    [T_BACK_TODAY] = {"Ze zijn er vandaag weer vanaf %02d:%02d.", "They are back today from %02d:%02d."},
    [T_BACK_TOMORROW] = {"Ze zijn er morgen weer vanaf %02d:%02d.", "They are back tomorrow from %02d:%02d."},
    [T_BACK_DAY] = {"Ze zijn er op %s %d %s weer vanaf %02d:%02d.", "They are back on %s %d %s from %02d:%02d."},
    [T_BACK_DATE] = {"Ze zijn er op %d %s %d weer vanaf %02d:%02d.", "They are back on %d %s %d from %02d:%02d."},
    [T_CALLBACK_THANKS] = {"Dank je. Je bericht en je contactgegevens (%s) staan klaar voor onze medewerkers. Zodra ze "
                           "er zijn, nemen ze contact met je op.",
                           "Thank you. Your message and your contact details (%s) are ready for our team. They will "
                           "get back to you as soon as they are available."},
    [T_AGENT_JOINS_NAMED] = {"%s (medewerker) neemt het gesprek nu over.",
                             "%s from our team is taking over the conversation now."},
};
/* German ("Sie") and French ("vous"), the languages of the Belgian and German
 * customers a Dutch shop meets. A text missing here (NULL) is said in
 * English. Column 0 German, 1 French. */
static const char *const texts_de_fr[T__COUNT][2] = {
    [T_GREETING] = {"Hallo! Ich bin der digitale Assistent unseres Kundenservice: ein Computerprogramm, kein Mensch. "
                    "Ich beantworte Ihre Fragen mit Informationen aus unserer Wissensdatenbank. Möchten Sie lieber mit "
                    "einem Mitarbeiter sprechen? Das geht jederzeit: Tippen Sie 'Mitarbeiter' oder nutzen Sie die "
                    "Schaltfläche für einen Mitarbeiter.",
                    "Bonjour ! Je suis l'assistant numérique de notre service client : un programme informatique, pas "
                    "une personne. Je réponds à vos questions avec les informations de notre base de connaissances. "
                    "Vous préférez parler à un conseiller ? C'est possible à tout moment : tapez 'conseiller' ou "
                    "utilisez le bouton pour joindre un conseiller."},
    [T_BOT_YES] = {"Ja, ich bin ein Chatbot: ein digitaler Assistent, kein Mensch. Möchten Sie mit einem Mitarbeiter "
                   "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                   "Oui, je suis un chatbot : un assistant numérique, pas une personne. Voulez-vous parler à un "
                   "conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_BOT_NOT_PERSON] = {"Nein, ich bin kein Mensch: Ich bin ein digitaler Assistent, ein Computerprogramm. Möchten "
                          "Sie mit einem Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die "
                          "Schaltfläche.",
                          "Non, je ne suis pas une personne : je suis un assistant numérique, un programme "
                          "informatique. Voulez-vous parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez "
                          "le bouton."},
    [T_BOT_IS] = {"Ich bin ein digitaler Assistent, kein Mensch: ein Computerprogramm. Möchten Sie mit einem "
                  "Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                  "Je suis un assistant numérique, pas une personne : un programme informatique. Voulez-vous parler à "
                  "un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_DECLINE] = {"Das weiß ich leider nicht. Ich kann nur Fragen beantworten, zu denen unsere Wissensdatenbank "
                   "Informationen hat. Sie können Ihre Frage anders stellen. Möchten Sie lieber mit einem Mitarbeiter "
                   "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                   "Désolé, je ne sais pas. Je ne peux répondre qu'aux questions sur lesquelles notre base de "
                   "connaissances contient des informations. Vous pouvez poser votre question autrement. Vous préférez "
                   "parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_FEEDBACK_Q] = {"Hat Ihnen das geholfen?", "Cela vous a-t-il aidé ?"},
    [T_MORE_INFO] = {"Weitere Informationen: ", "Plus d'informations : "},
    [T_FEEDBACK_YES] = {"Schön! Kann ich Ihnen noch bei etwas anderem helfen?",
                        "Très bien ! Puis-je vous aider pour autre chose ?"},
    [T_FEEDBACK_NO] = {"Schade, dass Ihnen das nicht weitergeholfen hat. Sie können Ihre Frage anders stellen. Möchten "
                       "Sie lieber mit einem Mitarbeiter sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie "
                       "die Schaltfläche.",
                       "Dommage que cela ne vous ait pas aidé. Vous pouvez poser votre question autrement. Vous "
                       "préférez parler à un conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
    [T_OFFER_NO] = {"In Ordnung. Stellen Sie Ihre Frage gern auf eine andere Weise.",
                    "D'accord. N'hésitez pas à poser votre question autrement."},
    [T_HELLO] = {"Hallo! Wobei kann ich Ihnen helfen?", "Bonjour ! Comment puis-je vous aider ?"},
    [T_THANKS] = {"Gern geschehen! Kann ich Ihnen noch bei etwas anderem helfen?",
                  "Avec plaisir ! Puis-je vous aider pour autre chose ?"},
    [T_BYE] = {"In Ordnung, einen schönen Tag noch!", "D'accord, bonne journée !"},
    [T_BYE_THANKS] = {"Gern geschehen, einen schönen Tag noch!", "Avec plaisir, bonne journée !"},
    [T_BYE_TAIL] = {"Wenn Sie später noch eine Frage haben, stellen Sie sie einfach hier. Sie können auch jederzeit "
                    "mit einem Mitarbeiter sprechen: Tippen Sie 'Mitarbeiter' oder nutzen Sie die Schaltfläche.",
                    "Si vous avez une autre question plus tard, posez-la simplement ici. Vous pouvez aussi parler à un "
                    "conseiller à tout moment : tapez 'conseiller' ou utilisez le bouton."},
    [T_ACK] = {"In Ordnung. Stellen Sie gern Ihre Frage. Sie können auch jederzeit mit einem Mitarbeiter sprechen: "
               "Tippen Sie 'Mitarbeiter' oder nutzen Sie die Schaltfläche.",
               "D'accord. Posez votre question. Vous pouvez aussi parler à un conseiller à tout moment : tapez "
               "'conseiller' ou utilisez le bouton."},
    [T_ASK] = {"Stellen Sie Ihre Frage.", "Posez votre question."},
    [T_WHY_REQUEST] = {"Ihr Gespräch wird an einen Mitarbeiter weitergegeben.",
                       "Votre conversation est transmise à un conseiller."},
    [T_WHY_FAILURE] = {"Der digitale Assistent kann Ihre Frage nicht gut beantworten. Deshalb wird Ihr Gespräch an "
                       "einen Mitarbeiter weitergegeben.",
                       "L'assistant numérique ne peut pas bien répondre à votre question. Votre conversation est donc "
                       "transmise à un conseiller."},
    [T_WHY_LOOP] = {"Sie stellen diese Frage nicht zum ersten Mal, der digitale Assistent hilft Ihnen also nicht "
                    "weiter. Deshalb wird Ihr Gespräch an einen Mitarbeiter weitergegeben.",
                    "Ce n'est pas la première fois que vous posez cette question : l'assistant numérique ne vous aide "
                    "pas. Votre conversation est donc transmise à un conseiller."},
    [T_WHY_NEGATIVE] = {"Es tut uns leid, dass es nicht so läuft, wie Sie möchten. Ihr Gespräch wird an einen "
                        "Mitarbeiter weitergegeben.",
                        "Nous sommes désolés que les choses ne se passent pas comme vous le souhaitez. Votre "
                        "conversation est transmise à un conseiller."},
    [T_WHY_COMPLAINT] = {"Eine Beschwerde bearbeitet ein Mitarbeiter, nicht der digitale Assistent. Ihr Gespräch wird "
                         "an einen Mitarbeiter weitergegeben.",
                         "Une réclamation est traitée par un conseiller, pas par l'assistant numérique. Votre "
                         "conversation est transmise à un conseiller."},
    [T_WHY_COMPLEX] = {"Sie stellen mehrere Fragen auf einmal. Ein Mitarbeiter kann sie am besten mit Ihnen zusammen "
                       "durchgehen. Ihr Gespräch wird an einen Mitarbeiter weitergegeben.",
                       "Vous posez plusieurs questions à la fois. Un conseiller peut les examiner au mieux avec vous. "
                       "Votre conversation est transmise à un conseiller."},
    [T_WHY_SENSITIVE] = {"Darüber sprechen Sie besser mit einem Menschen als mit einem digitalen Assistenten. Ihr "
                         "Gespräch wird an einen Mitarbeiter weitergegeben.",
                         "Il vaut mieux parler de ce sujet avec une personne qu'avec un assistant numérique. Votre "
                         "conversation est transmise à un conseiller."},
    [T_WHY_LANGUAGE] = {"Darauf habe ich leider keine Antwort in Ihrer Sprache. Deshalb wird Ihr Gespräch an einen "
                        "Mitarbeiter weitergegeben.",
                        "Je n'ai pas de réponse à cette question dans votre langue. Votre conversation est donc "
                        "transmise à un conseiller."},
    [T_TAIL] = {"Sie können uns schon mehr erzählen: Der Mitarbeiter sieht dieses ganze Gespräch.",
                "Vous pouvez déjà nous en dire plus : le conseiller verra toute cette conversation."},
    [T_QUEUED] = {"Sie sind in der Warteschlange für einen Mitarbeiter.",
                  "Vous êtes dans la file d'attente pour un conseiller."},
    [T_QUEUED_TAIL] = {"Ein Mitarbeiter liest Ihre Nachrichten, sobald er verfügbar ist.",
                       "Un conseiller lira vos messages dès qu'il sera disponible."},
    [T_SOON] = {"Ein Mitarbeiter hilft Ihnen so schnell wie möglich.", "Un conseiller vous aidera dès que possible."},
    [T_AWAY_CLOSED] = {"Unsere Mitarbeiter sind gerade nicht da.",
                       "Nos conseillers ne sont pas disponibles pour le moment."},
    [T_AWAY_OFFLINE] = {"Im Moment ist kein Mitarbeiter online.", "Aucun conseiller n'est en ligne pour le moment."},
    [T_AWAY_TAIL] = {"Ihr Gespräch bleibt in der Warteschlange. Hinterlassen Sie hier Ihre Frage mit Ihrer "
                     "Telefonnummer oder E-Mail-Adresse, dann melden wir uns bei Ihnen.",
                     "Votre conversation reste dans la file d'attente. Laissez ici votre question avec votre numéro "
                     "de téléphone ou votre adresse e-mail, et nous vous recontacterons."},
    [T_BACK] = {"Es ist wieder ein Mitarbeiter verfügbar.", "Un conseiller est de nouveau disponible."},
    [T_CALLBACK_HINT] = {"Hinterlassen Sie auch Ihre Telefonnummer oder E-Mail-Adresse? Dann können wir uns bei Ihnen "
                         "melden.",
                         "Voulez-vous aussi laisser votre numéro de téléphone ou votre adresse e-mail ? Nous pourrons "
                         "ainsi vous recontacter."},
    [T_AGENT_JOINS] = {"Ein Mitarbeiter übernimmt jetzt das Gespräch.",
                       "Un conseiller reprend maintenant la conversation."},
    [T_AGENT_LEAVES] = {"Der Mitarbeiter hat das Gespräch in die Warteschlange zurückgestellt.",
                        "Le conseiller a remis la conversation dans la file d'attente."},
    [T_CLOSED] = {"Dieses Gespräch ist beendet. Haben Sie noch eine Frage? Dann schicken Sie gern eine neue Nachricht.",
                  "Cette conversation est terminée. Vous avez une autre question ? Envoyez simplement un nouveau "
                  "message."},
    [T_QUEUE_POS] = {"Sie sind Nummer %lld in der Warteschlange.", "Vous êtes numéro %lld dans la file d'attente."},
    /* French: the wait sentence's "de" goes with the words of the estimate
     * ("est d'environ 3 minutes", "est de 2 à 5 minutes") */
    [T_WAIT_IS] = {"Die voraussichtliche Wartezeit beträgt %s.", "L'attente prévue est %s."},
    [T_DUR_LESS_1MIN] = {"weniger als eine Minute", "de moins d'une minute"},
    [T_DUR_LESS] = {"weniger als %s", "de moins de %s"},
    [T_DUR_ABOUT] = {"etwa %s", "d'environ %s"},
    [T_DUR_RANGE] = {"%s bis %s", "de %s à %s"},
    [T_DUR_1MIN] = {"1 Minute", "1 minute"},
    [T_DUR_MIN] = {"%lld Minuten", "%lld minutes"},
    [T_DUR_1HOUR] = {"1 Stunde", "1 heure"},
    [T_DUR_HOURS] = {"%lld Stunden", "%lld heures"},
    [T_DUR_HALF] = {"%lld,5 Stunden", "%lld h 30"},
    [T_DUR_1HOUR_Q] = {"1 Stunde und %lld Minuten", "1 heure et %lld minutes"},
    [T_DUR_HOURS_Q] = {"%lld Stunden und %lld Minuten", "%lld heures et %lld minutes"},
    [T_BACK_TODAY] = {"Sie sind heute ab %02d:%02d Uhr wieder da.",
                      "Ils sont de retour aujourd'hui à partir de %02dh%02d."},
    [T_BACK_TOMORROW] = {"Sie sind morgen ab %02d:%02d Uhr wieder da.",
                         "Ils sont de retour demain à partir de %02dh%02d."},
    [T_BACK_DAY] = {"Sie sind am %s, %d. %s ab %02d:%02d Uhr wieder da.",
                    "Ils sont de retour le %s %d %s à partir de %02dh%02d."},
    [T_BACK_DATE] = {"Sie sind am %d. %s %d ab %02d:%02d Uhr wieder da.",
                     "Ils sont de retour le %d %s %d à partir de %02dh%02d."},
    [T_CALLBACK_THANKS] = {"Vielen Dank. Ihre Nachricht und Ihre Kontaktdaten (%s) liegen für unsere Mitarbeiter "
                           "bereit. Sobald sie da sind, melden sie sich bei Ihnen.",
                           "Merci. Votre message et vos coordonnées (%s) sont transmis à nos conseillers. Ils vous "
                           "recontacteront dès qu'ils seront disponibles."},
    [T_AGENT_JOINS_NAMED] = {"%s aus unserem Team übernimmt jetzt das Gespräch.",
                             "%s, de notre équipe, reprend maintenant la conversation."},
    [T_CHOICES_INTRO] = {"Ich bin nicht sicher, was Sie meinen. Geht es bei Ihrer Frage um ",
                         "Je ne suis pas sûr de comprendre. Votre question porte-t-elle sur "},
    [T_CHOICES_OR] = {" oder ", " ou "},
    [T_CHOICES_TAIL] = {"Wählen Sie ein Thema, oder 'Nichts davon', wenn es um etwas anderes geht. Sie können auch "
                        "jederzeit mit einem Mitarbeiter sprechen: Tippen Sie 'Mitarbeiter' oder nutzen Sie die "
                        "Schaltfläche.",
                        "Choisissez un sujet, ou 'Aucun de ces sujets' s'il s'agit d'autre chose. Vous pouvez aussi "
                        "parler à un conseiller à tout moment : tapez 'conseiller' ou utilisez le bouton."},
    [T_PART_DECLINE] = {"Auf diese Frage habe ich keine Antwort: ", "Je n'ai pas de réponse à cette question : "},
    [T_PART_DECLINE_MANY] = {"Auf diese Fragen habe ich keine Antwort: ", "Je n'ai pas de réponse à ces questions : "},
    [T_PART_DECLINE_TAIL] = {"Dazu steht nichts in unserer Wissensdatenbank. Möchten Sie darüber mit einem Mitarbeiter "
                             "sprechen? Tippen Sie 'ja' oder 'Mitarbeiter', oder nutzen Sie die Schaltfläche.",
                             "Notre base de connaissances ne contient rien à ce sujet. Voulez-vous en parler à un "
                             "conseiller ? Tapez 'oui' ou 'conseiller', ou utilisez le bouton."},
};

/* The column of lang in the text tables: 0 nl, 1 en, 2 de, 3 fr; any
 * other language gets English. */
int lk_pol_text_ix(const char *lang)
{
    for (size_t i = 0; lang && i < N_SPOKEN; i++)
        if (strcmp(lang, spoken[i]) == 0)
            return (int)i;
    return 1;
}

const char *lk_pol_text_in(int id, int ix)
{
    if (ix >= 2 && texts_de_fr[id][ix - 2])
        return texts_de_fr[id][ix - 2];
    return texts[id][ix >= 2 ? 1 : ix];
}

const char *lk_policy_text(size_t i, const char *lang)
{
    if (i >= T__COUNT || !lk_policy_language_spoken(lang))
        return NULL;
    return lk_pol_text_in((int)i, lk_pol_text_ix(lang));
}
