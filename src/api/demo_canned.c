/*
 * The demo's canned responses (issue 14): a useful Dutch and English set of
 * ready texts for the agents of the demo shop (Tulp & Tafel), loaded with
 * the demo knowledge base, and only into a database that has no canned
 * responses yet (archived ones count), so that an operator's own set is
 * never mixed with or brought back by the demo's. Placeholders as
 * docs/assist.md describes them.
 */
#include "api/api_int.h"

#include <string.h>

static const struct {
    const char *language, *title, *shortcut, *text;
} demo[] = {
    {"nl", "Begroeting", "hallo",
     "Hallo {customer_name}, je spreekt met {agent_name} van de klantenservice van Tulp & Tafel. Ik heb gelezen wat "
     "je de digitale assistent vroeg; ik help je verder."},
    {"nl", "Even geduld", "moment", "Een ogenblik, {customer_name}, ik zoek het voor je uit."},
    {"nl", "Bestelnummer vragen", "bestelnummer",
     "Wil je me je bestelnummer geven? Je vindt het in de bevestigingsmail; het begint met TT-."},
    {"nl", "Retour ontvangen", "retour",
     "We hebben je retour ontvangen. Je krijgt het bedrag binnen 5 werkdagen terug op de rekening waarmee je betaalde."},
    {"nl", "Pakket onderweg", "pakket",
     "Je pakket is onderweg. Met de track-and-tracelink in je verzendmail zie je precies waar het is."},
    {"nl", "Excuses", "excuses",
     "Wat vervelend dat dit zo gelopen is, {customer_name}. Mijn excuses daarvoor; ik ga het voor je oplossen."},
    {"nl", "Terugbellen", "terugbellen",
     "Dit wil ik graag goed voor je uitzoeken. Mag een collega je terugbellen? Laat je telefoonnummer achter, dan "
     "bellen we je binnen één werkdag."},
    {"nl", "Geen persoonsgegevens in de chat", "privacy",
     "Deel alsjeblieft geen burgerservicenummer of bankgegevens in de chat; die hebben we hiervoor niet nodig."},
    {"nl", "Nog iets?", "nogiets", "Kan ik je verder nog ergens mee helpen?"},
    {"nl", "Afsluiting", "doei", "Bedankt voor je bericht, {customer_name}. Een fijne dag nog! Groet, {agent_name}"},
    {"en", "Greeting", "hello",
     "Hello {customer_name}, this is {agent_name} from Tulp & Tafel customer service. I have read what you asked our "
     "digital assistant; I will take it from here."},
    {"en", "One moment", "moment", "One moment, {customer_name}, I will look into it for you."},
    {"en", "Ask for the order number", "order",
     "Could you give me your order number? You will find it in the confirmation e-mail; it starts with TT-."},
    {"en", "Return received", "return",
     "We have received your return. The amount will be back in the account you paid with within 5 working days."},
    {"en", "Parcel on its way", "parcel",
     "Your parcel is on its way. The tracking link in your shipping e-mail shows exactly where it is."},
    {"en", "Apology", "sorry",
     "I am sorry this went wrong, {customer_name}. Please accept my apologies; I will sort it out for you."},
    {"en", "Call back", "callback",
     "I would like to look into this properly. May a colleague call you back? Leave your phone number and we will "
     "call you within one working day."},
    {"en", "No personal data in the chat", "privacy",
     "Please do not share your citizen service number or bank details in the chat; we do not need them for this."},
    {"en", "Anything else?", "else", "Is there anything else I can help you with?"},
    {"en", "Closing", "bye", "Thank you for your message, {customer_name}. Have a nice day! Kind regards, {agent_name}"},
};

int lk_api_demo_canned(lk_store_t *st, int64_t now, size_t *added)
{
    if (added)
        *added = 0;
    int64_t have = 0;
    int rc = lk_store_canned_count_all(st, &have);
    if (rc || have > 0)
        return rc;
    for (size_t i = 0; i < sizeof demo / sizeof demo[0] && rc == 0; i++) {
        lk_canned_t c = {0};
        lk_rand_id("cr_", c.id, sizeof c.id);
        snprintf(c.language, sizeof c.language, "%s", demo[i].language);
        c.title = (char *)demo[i].title;
        c.shortcut = (char *)demo[i].shortcut;
        c.text = (char *)demo[i].text;
        c.created_at = c.updated_at = now;
        rc = lk_store_canned_insert(st, &c);
        if (rc == 0 && added)
            (*added)++;
    }
    return rc;
}
