/* Unit tests for issue 14's pure pieces and store functions: identifiers in
 * one canonical form (privacy/normalise.c), masking one kind of personal
 * data, a conversation's topic and title (assist/title.c), and in the store a
 * user's console language, a conversation's topic (set once), identifiers
 * that data-subject requests find, erasing one conversation, and counting
 * canned responses. */
#include "assist/assist.h"
#include "privacy/privacy.h"
#include "store/store.h"
#include "util/util.h"

#include "test_tmp.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- normalise ----------------------------------------------------------- */

static void phone_is(const char *in, const char *want)
{
    char out[LK_PII_NORM_MAX];
    int rc = lk_pii_normalise(LK_PII_PHONE, in, strlen(in), out, sizeof out);
    if (!want) {
        cr_expect_eq(rc, LK_EINVAL, "%s: want no phone number, got %s", in, out);
        return;
    }
    cr_expect_eq(rc, 0, "%s: %s", in, lk_strerror(rc));
    cr_expect_str_eq(out, want, "%s", in);
}

Test(normalise, phone_numbers_in_every_form_are_one)
{
    phone_is("06-12345678", "+31612345678");
    phone_is("06 1234 5678", "+31612345678");
    phone_is("0612345678", "+31612345678");
    phone_is("+31 6 12345678", "+31612345678");
    phone_is("+31 (0)6 1234 5678", "+31612345678");
    phone_is("+31 06 12345678", "+31612345678");
    phone_is("0031 6 12345678", "+31612345678");
    phone_is("(020) 123 45 67", "+31201234567");
    phone_is("020 - 123 45 67", "+31201234567");
    phone_is("+44 20 7946 0958", "+442079460958");
    phone_is("+1 (555) 123-4567", "+15551234567");
    /* not phone numbers */
    phone_is("", NULL);
    phone_is("twaalf", NULL);
    phone_is("12345", NULL);
    phone_is("061234567", NULL);        /* nine digits */
    phone_is("+0 6 12345678", NULL);    /* no country code 0 */
    phone_is("+31 6 1234 5678 9999 99", NULL); /* too long */
    phone_is("06-1234x5678", NULL);
}

Test(normalise, email_addresses_lower_cased_and_trimmed)
{
    char out[LK_PII_NORM_MAX];
    cr_assert_eq(lk_pii_normalise(LK_PII_EMAIL, " Piet.Jansen@Example.NL ", 24, out, sizeof out), 0);
    cr_assert_str_eq(out, "piet.jansen@example.nl");
    cr_assert_eq(lk_pii_normalise(LK_PII_EMAIL, "geen adres", 10, out, sizeof out), LK_EINVAL);
    cr_assert_eq(lk_pii_normalise(LK_PII_EMAIL, "a b@c.nl", 8, out, sizeof out), LK_EINVAL);
    cr_assert_eq(lk_pii_normalise(LK_PII_BSN, "123456782", 9, out, sizeof out), LK_EINVAL, "only e-mail and phone");
    char small[8];
    cr_assert_eq(lk_pii_normalise(LK_PII_EMAIL, "jan@example.nl", 14, small, sizeof small), LK_EINVAL, "too small");
}

Test(normalise, mask_one_kind)
{
    const char *t = "BSN 123456782, mail jan@example.nl, nog eens 111222333";
    char *m = lk_pii_mask_kind(t, strlen(t), LK_PII_BSN);
    cr_assert_not_null(m);
    cr_assert_str_eq(m, "BSN [bsn], mail jan@example.nl, nog eens [bsn]");
    free(m);
    cr_assert_null(lk_pii_mask_kind("mail jan@example.nl", 19, LK_PII_BSN), "no BSN: NULL");
    cr_assert_null(lk_pii_mask_kind("", 0, LK_PII_BSN));
    cr_assert_null(lk_pii_mask_kind("ordernummer 123456782", 21, LK_PII_BSN), "an order number is no BSN");
}

/* ---- topic and title ----------------------------------------------------- */

Test(title, topic_from_the_article_or_the_first_words)
{
    char *t = lk_assist_topic("Kan ik met iDEAL betalen?", 25, "Betaalmethoden");
    cr_assert_str_eq(t, "Betaalmethoden");
    free(t);
    const char *q = "  Mijn  bestelling\nTT-2024-0012 is nog steeds niet binnen en ik wacht al weken";
    t = lk_assist_topic(q, strlen(q), NULL);
    cr_assert_str_eq(t, "Mijn bestelling TT-2024-0012 is nog steeds niet binnen...");
    free(t);
    t = lk_assist_topic("Waar blijft mijn pakket?", 24, "");
    cr_assert_str_eq(t, "Waar blijft mijn pakket?", "an empty title counts as none");
    free(t);
    /* personal data is masked */
    const char *p = "mijn e-mail is piet@example.nl en BSN 123456782";
    t = lk_assist_topic(p, strlen(p), NULL);
    cr_assert_str_eq(t, "mijn e-mail is [e-mail] en BSN [bsn]");
    free(t);
    cr_assert_null(lk_assist_topic("   ", 3, NULL));
    cr_assert_null(lk_assist_topic(NULL, 0, NULL));
}

Test(title, a_long_word_is_cut_on_a_character_boundary)
{
    char w[400];
    size_t n = 0;
    for (int i = 0; i < 60; i++) { /* "é" is two bytes: 120 bytes in all */
        w[n++] = (char)0xC3;
        w[n++] = (char)0xA9;
    }
    w[n] = '\0';
    char *t = lk_assist_topic(w, n, NULL);
    size_t len = strlen(t);
    cr_assert_leq(len, LK_ASSIST_TOPIC_MAX + 3);
    cr_assert_str_eq(t + len - 3, "...");
    cr_assert(lk_utf8_valid(t, len), "valid UTF-8");
    free(t);
}

Test(title, customer_first_then_topic)
{
    lk_conv_t c;
    memset(&c, 0, sizeof c);
    cr_assert_null(lk_assist_title(&c));
    c.topic = (char *)"Betaalmethoden";
    cr_assert_str_eq(lk_assist_title(&c), "Betaalmethoden");
    c.customer_email = (char *)"jan@example.nl";
    cr_assert_str_eq(lk_assist_title(&c), "jan@example.nl");
    c.customer_name = (char *)"Jan de Vries";
    cr_assert_str_eq(lk_assist_title(&c), "Jan de Vries");
    c.customer_name = (char *)"";
    cr_assert_str_eq(lk_assist_title(&c), "jan@example.nl", "an empty name counts as none");
}

/* ---- the store ------------------------------------------------------------- */

static char tmpdir[64], datadir[128];
static lk_store_t *st;

static void setup(void)
{
    lk_log_set_level(getenv("LK_TEST_LOG") ? LK_LOG_DEBUG : LK_LOG_OFF);
    test_data_dir("i14", tmpdir, datadir);
    cr_assert_eq(lk_store_open(datadir, &st, NULL), 0);
}

static void teardown(void)
{
    lk_store_close(st);
    st = NULL;
    test_rm_tree(tmpdir);
}

static void add_conv(const char *id)
{
    lk_conv_t c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "%s", id);
    snprintf(c.token_hash, sizeof c.token_hash, "%064d", 7);
    c.status = LK_CONV_QUEUED;
    snprintf(c.language, sizeof c.language, "nl");
    c.created_at = c.updated_at = 1000;
    c.next_seq = 1;
    cr_assert_eq(lk_store_conv_insert(st, &c), 0);
}

Test(store, user_language, .init = setup, .fini = teardown)
{
    lk_user_t u;
    memset(&u, 0, sizeof u);
    snprintf(u.id, sizeof u.id, "u_1");
    snprintf(u.email, sizeof u.email, "anna@example.com");
    u.role = LK_ROLE_AGENT;
    u.password_hash = (char *)"x";
    u.created_at = 1;
    cr_assert_eq(lk_store_user_insert(st, &u), 0);
    char lang[8];
    cr_assert_eq(lk_store_user_language_get(st, "u_1", lang, sizeof lang), 0);
    cr_assert_str_eq(lang, "", "none chosen");
    cr_assert_eq(lk_store_user_language_set(st, "u_1", "en"), 0);
    cr_assert_eq(lk_store_user_language_get(st, "u_1", lang, sizeof lang), 0);
    cr_assert_str_eq(lang, "en");
    cr_assert_eq(lk_store_user_language_set(st, "u_1", NULL), 0);
    cr_assert_eq(lk_store_user_language_get(st, "u_1", lang, sizeof lang), 0);
    cr_assert_str_eq(lang, "");
    cr_assert_eq(lk_store_user_language_get(st, "u_nobody", lang, sizeof lang), LK_ENOENT);
    cr_assert_eq(lk_store_user_language_set(st, "u_nobody", "nl"), LK_ENOENT);
}

Test(store, topic_is_set_once, .init = setup, .fini = teardown)
{
    add_conv("c_1");
    bool set = false;
    cr_assert_eq(lk_store_conv_set_topic(st, "c_1", "Betaalmethoden", &set), 0);
    cr_assert(set);
    cr_assert_eq(lk_store_conv_set_topic(st, "c_1", "Iets anders", &set), 0);
    cr_assert_not(set, "the first question's topic stays");
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c_1", &c), 0);
    cr_assert_str_eq(c.topic, "Betaalmethoden");
    lk_conv_clear(&c);
    cr_assert_eq(lk_store_conv_set_topic(st, "c_1", "", NULL), LK_EINVAL);
}

Test(store, identifiers_find_the_conversation_and_go_with_it, .init = setup, .fini = teardown)
{
    add_conv("c_piet");
    add_conv("c_other");
    cr_assert_eq(lk_store_conv_identifier_add(st, "c_piet", "email", "piet@example.nl", 2000), 0);
    cr_assert_eq(lk_store_conv_identifier_add(st, "c_piet", "email", "piet@example.nl", 2001), 0, "again: no change");
    cr_assert_eq(lk_store_conv_identifier_add(st, "c_piet", "phone", "+31612345678", 2000), 0);
    cr_assert_eq(lk_store_conv_identifier_add(st, "c_other", "phone", "+31687654321", 2000), 0);

    lk_privacy_subject_t by_mail = {.email = "Piet@Example.NL"}, by_phone = {.phone = "+31612345678"};
    char *doc = NULL;
    lk_privacy_counts_t counts;
    cr_assert_eq(lk_store_privacy_export(st, &by_mail, 3000, &doc, &counts), 0);
    cr_assert_eq(counts.conversations, 1);
    cr_assert_eq(counts.identifiers, 2);
    cr_assert_not_null(strstr(doc, "c_piet"));
    cr_assert_null(strstr(doc, "c_other"));
    free(doc);
    cr_assert_eq(lk_store_privacy_export(st, &by_phone, 3000, &doc, &counts), 0);
    cr_assert_eq(counts.conversations, 1);
    free(doc);

    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase(st, &by_phone, &counts), 0);
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(counts.conversations, 1);
    cr_assert_eq(counts.identifiers, 2);
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c_piet", &c), LK_ENOENT);
    cr_assert_eq(lk_store_conv_get(st, "c_other", &c), 0);
    lk_conv_clear(&c);
    cr_assert_eq(lk_store_privacy_export(st, &by_mail, 3000, &doc, &counts), 0);
    cr_assert_eq(counts.conversations, 0, "gone with its conversation");
    free(doc);
}

Test(store, erase_one_conversation, .init = setup, .fini = teardown)
{
    add_conv("c_1");
    add_conv("c_2");
    cr_assert_eq(lk_store_audit(st, 1500, "u_1", "conversation.view", "c_1", NULL), 0);
    lk_msg_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.id, sizeof m.id, "m_1");
    snprintf(m.conversation_id, sizeof m.conversation_id, "c_1");
    m.seq = 1;
    m.sender = LK_SENDER_CUSTOMER;
    m.text = (char *)"wis mij";
    m.created_at = 1600;
    cr_assert_eq(lk_store_msg_insert(st, &m), 0);
    lk_privacy_counts_t counts;
    cr_assert_eq(lk_store_begin(st), 0);
    cr_assert_eq(lk_store_privacy_erase_conv(st, "c_1", &counts), 0);
    cr_assert_eq(lk_store_privacy_erase_conv(st, "c_nope", NULL), LK_ENOENT);
    cr_assert_eq(lk_store_commit(st), 0);
    cr_assert_eq(counts.conversations, 1);
    cr_assert_eq(counts.messages, 1);
    cr_assert_eq(counts.audit, 1, "its id is taken off the audit record");
    lk_conv_t c;
    cr_assert_eq(lk_store_conv_get(st, "c_1", &c), LK_ENOENT);
    cr_assert_eq(lk_store_conv_get(st, "c_2", &c), 0);
    lk_conv_clear(&c);
    cr_assert_eq(lk_store_privacy_erase_conv(st, "", NULL), LK_EINVAL);
}

Test(store, canned_count, .init = setup, .fini = teardown)
{
    int64_t n = -1;
    cr_assert_eq(lk_store_canned_count_all(st, &n), 0);
    cr_assert_eq(n, 0);
    lk_canned_t cr;
    memset(&cr, 0, sizeof cr);
    snprintf(cr.id, sizeof cr.id, "cr_1");
    snprintf(cr.language, sizeof cr.language, "nl");
    cr.title = (char *)"Hallo";
    cr.text = (char *)"Hallo {customer_name}";
    cr.created_at = cr.updated_at = 1;
    cr_assert_eq(lk_store_canned_insert(st, &cr), 0);
    cr_assert_eq(lk_store_canned_archive(st, "cr_1", 2), 0);
    cr_assert_eq(lk_store_canned_count_all(st, &n), 0);
    cr_assert_eq(n, 1, "archived ones count: the demo's set never comes back over an operator's");
}
