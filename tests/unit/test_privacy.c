/* Unit tests for privacy/: detection of each kind of personal data (true
 * positives and near misses that must not match), redaction, UTF-8 safety
 * and speed. */
#include "privacy/privacy.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The single span found in text must be of kind and cover exactly want. */
static void expect_one(const char *text, lk_pii_kind_t kind, const char *want)
{
    lk_pii_span_t sp[8];
    size_t n = lk_pii_detect(text, strlen(text), sp, 8);
    cr_assert_eq(n, 1, "%s: %zu spans, want 1", text, n);
    cr_assert_eq(sp[0].kind, kind, "%s: kind %s, want %s", text, lk_pii_kind_name(sp[0].kind), lk_pii_kind_name(kind));
    cr_assert_eq(sp[0].len, strlen(want), "%s: span '%.*s', want '%s'", text, (int)sp[0].len, text + sp[0].start, want);
    cr_assert_eq(memcmp(text + sp[0].start, want, sp[0].len), 0, "%s: span '%.*s', want '%s'", text, (int)sp[0].len,
                 text + sp[0].start, want);
}

static void expect_none(const char *text)
{
    lk_pii_span_t sp[4];
    size_t n = lk_pii_detect(text, strlen(text), sp, 4);
    cr_assert_eq(n, 0, "%s: found %s '%.*s'", text, n ? lk_pii_kind_name(sp[0].kind) : "", n ? (int)sp[0].len : 0,
                 n ? text + sp[0].start : "");
    cr_assert_not(lk_pii_any(text, strlen(text)), "%s", text);
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void expect_redacted(const char *text, const char *want)
{
    char *r = lk_pii_redact(text, strlen(text));
    cr_assert_str_eq(r, want);
    free(r);
}

Test(privacy, kinds_and_markers)
{
    cr_assert_str_eq(lk_pii_kind_name(LK_PII_EMAIL), "email");
    cr_assert_str_eq(lk_pii_kind_name(LK_PII_NAME), "name");
    cr_assert_str_eq(lk_pii_marker(LK_PII_BSN), "[bsn]");
    cr_assert_str_eq(lk_pii_marker(LK_PII_PHONE), "[telefoon]");
    for (int k = 0; k < LK_PII__COUNT; k++) {
        cr_assert_neq(strcmp(lk_pii_kind_name((lk_pii_kind_t)k), "unknown"), 0);
        cr_assert_eq(lk_pii_marker((lk_pii_kind_t)k)[0], '[');
    }
    cr_assert_str_eq(lk_pii_kind_name(LK_PII__COUNT), "unknown");
}

/* ---- each kind: found exactly, and near misses not at all ------------------ */

/* Texts that hold one piece of personal data each: its kind and exactly the
 * span that must be found. */
static const struct {
    lk_pii_kind_t kind;
    const char *text, *want;
} FOUND[] = {
    /* e-mail */
    {LK_PII_EMAIL, "mail me at jan.de-vries@example.nl please", "jan.de-vries@example.nl"},
    {LK_PII_EMAIL, "'piet@voorbeeld.nl'", "piet@voorbeeld.nl"},
    {LK_PII_EMAIL, "mailto:a_b+c@sub.example.co.uk.", "a_b+c@sub.example.co.uk"},
    {LK_PII_EMAIL, "(Jan@Example.COM)", "Jan@Example.COM"},
    {LK_PII_EMAIL, "zoë@voorbeeld.be", "zoë@voorbeeld.be"},
    {LK_PII_EMAIL, "\xE2\x80\x9Cjan@x.nl\xE2\x80\x9D", "jan@x.nl"}, /* typographic quotes */
    {LK_PII_EMAIL, "mail jan@bücher.de.", "jan@bücher.de"},
    {LK_PII_EMAIL, "jan@voorbeeld.nl\xE2\x80\x99s adres", "jan@voorbeeld.nl"},
    {LK_PII_EMAIL, "a@xn--bcher-kva.xn--p1ai", "a@xn--bcher-kva.xn--p1ai"},

    /* phone numbers: Dutch */
    {LK_PII_PHONE, "bel 06-12345678 aub", "06-12345678"},
    {LK_PII_PHONE, "bel 06 1234 5678", "06 1234 5678"},
    {LK_PII_PHONE, "mijn nummer is 0612345678.", "0612345678"},
    {LK_PII_PHONE, "06 12 34 56 78", "06 12 34 56 78"},
    {LK_PII_PHONE, "tel: 010-1234567,", "010-1234567"},
    {LK_PII_PHONE, "020 - 123 45 67", "020 - 123 45 67"},
    {LK_PII_PHONE, "(020) 1234567", "(020) 1234567"},
    {LK_PII_PHONE, "0031 6 12345678", "0031 6 12345678"},
    {LK_PII_PHONE, "+31 6 12345678", "+31 6 12345678"},
    {LK_PII_PHONE, "+31612345678", "+31612345678"},
    {LK_PII_PHONE, "+31(0)6-12345678", "+31(0)6-12345678"},
    {LK_PII_PHONE, "+31 (0)20 123 4567", "+31 (0)20 123 4567"},
    {LK_PII_PHONE, "+31 06 12345678", "+31 06 12345678"},
    {LK_PII_PHONE, "03-05-1980 06-12345678", "06-12345678"},
    {LK_PII_PHONE, "06 12345678 12", "06 12345678"},

    /* phone numbers: international */
    {LK_PII_PHONE, "call +44 20 7946 0958 now", "+44 20 7946 0958"},
    {LK_PII_PHONE, "+1 (555) 123-4567", "+1 (555) 123-4567"},
    {LK_PII_PHONE, "+49 170 1234567", "+49 170 1234567"},
    {LK_PII_PHONE, "00491701234567", "00491701234567"},
    {LK_PII_PHONE, "+32 470 12 34 56", "+32 470 12 34 56"},

    /* IBAN */
    {LK_PII_IBAN, "IBAN NL91 ABNA 0417 1643 00 graag", "NL91 ABNA 0417 1643 00"},
    {LK_PII_IBAN, "nl91abna0417164300", "nl91abna0417164300"},
    {LK_PII_IBAN, "rekening NL91ABNA0417164300.", "NL91ABNA0417164300"},
    {LK_PII_IBAN, "BE68 5390 0754 7034", "BE68 5390 0754 7034"},
    {LK_PII_IBAN, "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"},
    {LK_PII_IBAN, "GB29 NWBK 6016 1331 9268 19", "GB29 NWBK 6016 1331 9268 19"},
    {LK_PII_IBAN, "FR14 2004 1010 0505 0001 3M02 606", "FR14 2004 1010 0505 0001 3M02 606"},
    {LK_PII_IBAN, "CH93 0076 2011 6238 5295 7", "CH93 0076 2011 6238 5295 7"},

    /* a country missing from the length table: checked by mod-97 only */
    {LK_PII_IBAN, "ZZ73 1234 5678 9012 3456 78", "ZZ73 1234 5678 9012 3456 78"},

    /* BSN (with the 11-proef) */
    {LK_PII_BSN, "BSN 123456782", "123456782"},
    {LK_PII_BSN, "mijn bsn is 111222333", "111222333"},
    {LK_PII_BSN, "1234.56.782", "1234.56.782"},
    {LK_PII_BSN, "123 456 782 is het", "123 456 782"},
    {LK_PII_BSN, "BSN:123456782", "123456782"},
    {LK_PII_BSN, "(123456782)", "123456782"},

    /* card numbers (with Luhn) */
    {LK_PII_CARD, "card 4111 1111 1111 1111", "4111 1111 1111 1111"},
    {LK_PII_CARD, "4111-1111-1111-1111", "4111-1111-1111-1111"},
    {LK_PII_CARD, "4111111111111111", "4111111111111111"},
    {LK_PII_CARD, "5500 0000 0000 0004 thanks", "5500 0000 0000 0004"},
    {LK_PII_CARD, "amex 3782 822463 10005", "3782 822463 10005"},
    {LK_PII_CARD, "4222222222222", "4222222222222"},

    /* postcodes, with the address around them */
    {LK_PII_POSTCODE, "1234AB", "1234AB"},
    {LK_PII_POSTCODE, "Postcode 1234 AB.", "1234 AB"},
    {LK_PII_POSTCODE, "1234ab", "1234ab"},
    {LK_PII_POSTCODE, "Kerkstraat 12, 1234 AB Amsterdam", "Kerkstraat 12, 1234 AB"},
    {LK_PII_POSTCODE, "Ik woon op de Dorpsstraat 3a 1234AB", "Dorpsstraat 3a 1234AB"},
    {LK_PII_POSTCODE, "huis 12, 1234 AB", "12, 1234 AB"},
    {LK_PII_POSTCODE, "postcode 1234 AB 12a", "1234 AB 12a"},
    {LK_PII_POSTCODE, "1234AB, 7", "1234AB, 7"},

    /* birth dates */
    {LK_PII_BIRTHDATE, "geboren op 3 mei 1980", "3 mei 1980"},
    {LK_PII_BIRTHDATE, "geboortedatum 03-05-1980", "03-05-1980"},
    {LK_PII_BIRTHDATE, "Mijn geboortedatum is: 3/5/80", "3/5/80"},
    {LK_PII_BIRTHDATE, "date of birth 1980-05-03", "1980-05-03"},
    {LK_PII_BIRTHDATE, "I was born on May 3, 1980.", "May 3, 1980"},
    {LK_PII_BIRTHDATE, "born on the 3rd of May 1980", "3rd of May 1980"},
    {LK_PII_BIRTHDATE, "DOB: 03.05.1980", "03.05.1980"},
    {LK_PII_BIRTHDATE, "geb. 12 december 1975", "12 december 1975"},
    {LK_PII_BIRTHDATE, "ik ben geboren op 3 mei", "3 mei"},

    /* names */
    {LK_PII_NAME, "mijn naam is Jan de Vries en ik", "Jan de Vries"},
    {LK_PII_NAME, "ik heet piet", "piet"},
    {LK_PII_NAME, "My name is John O'Brien.", "John O'Brien"},
    {LK_PII_NAME, "Hi, this is Anna-Lena Müller from support", "Anna-Lena Müller"},
    {LK_PII_NAME, "Mijn naam is J. van der Berg", "J. van der Berg"},
    {LK_PII_NAME, "mijn naam is jan jansen en ik wil", "jan jansen"},
    {LK_PII_NAME, "Naam: Émile Zola", "Émile Zola"},
    {LK_PII_NAME, "ik heet van Dijk", "van Dijk"},
    {LK_PII_NAME, "mijn naam is jan de vries graag wil ik", "jan de vries"},
    {LK_PII_NAME, "my name is john smith from amsterdam", "john smith"},
};

/* Near misses: texts that look like a kind of personal data (the kind says
 * which) but hold none at all. */
static const struct {
    lk_pii_kind_t kind;
    const char *text;
} MISSES[] = {
    /* e-mail */
    {LK_PII_EMAIL, "jan@example.123"},
    {LK_PII_EMAIL, "jan@example"},
    {LK_PII_EMAIL, "jan@.nl"},
    {LK_PII_EMAIL, "@example.nl"},
    {LK_PII_EMAIL, "a@b.c"},
    {LK_PII_EMAIL, "meet @ 10.30"},
    {LK_PII_EMAIL, "prijs 3@4.50"},

    /* phone numbers */
    {LK_PII_PHONE, "06-1234567"},             /* nine digits */
    {LK_PII_PHONE, "061234567890"},           /* twelve digits */
    {LK_PII_PHONE, "0800-1234567 is gratis"}, /* a service number belongs to no person */
    {LK_PII_PHONE, "0900 1234567"},
    {LK_PII_PHONE, "om 12:30 uur"},
    {LK_PII_PHONE, "het is 12.30 en ik heb 2 euro"},
    {LK_PII_PHONE, "1+1 = 2"},
    {LK_PII_PHONE, "+31 12"},
    {LK_PII_PHONE, "+28 1234 5678"}, /* no such country code */
    {LK_PII_PHONE, "ordernummer 0612345678AB"},
    {LK_PII_PHONE, "versie 0.12.345.678"},

    /* IBAN */
    {LK_PII_IBAN, "ZZ76 1234 5678 9012 3456 78"}, /* not in the length table, and fails mod-97 */
    {LK_PII_IBAN, "NL91ABNA0417164301 bad check"},
    {LK_PII_IBAN, "NL92 ABNA 0417 1643 00"},
    {LK_PII_IBAN, "NL91ABNA04171643"}, /* too short for NL */
    {LK_PII_IBAN, "BE68 5390 0754 703"},
    {LK_PII_IBAN, "XNL91ABNA0417164300"}, /* inside a word */
    {LK_PII_IBAN, "AB12 is geen rekening"},

    /* BSN */
    {LK_PII_BSN, "bsn 123456789"},          /* fails the 11-proef */
    {LK_PII_BSN, "bestelnummer 123456782"}, /* a reference, though it passes */
    {LK_PII_BSN, "order #123456782"},
    {LK_PII_BSN, "ORD-123456782"},
    {LK_PII_BSN, "1123456782"}, /* part of a longer number */
    {LK_PII_BSN, "12345678"},
    {LK_PII_BSN, "123456782 euro"},
    {LK_PII_BSN, "€ 123456782"},
    {LK_PII_BSN, "EUR 123456782"},
    {LK_PII_BSN, "123456782,50"},
    {LK_PII_BSN, "000000000"},
    {LK_PII_BSN, "a123456782"},

    /* card numbers */
    {LK_PII_CARD, "4111111111111112"}, /* fails Luhn */
    {LK_PII_CARD, "4111 1111 1111 1112"},
    {LK_PII_CARD, "0000 0000 0000 0000"},
    {LK_PII_CARD, "12345678901234567890123456789"},
    {LK_PII_CARD, "factuur 4111111111111111"},
    {LK_PII_CARD, "4111.1111.1111.1111"}, /* dots: an amount or a version, not a card */

    /* postcodes */
    {LK_PII_POSTCODE, "1234 euro"},
    {LK_PII_POSTCODE, "1234 EURO"},
    {LK_PII_POSTCODE, "1234 ABN"},
    {LK_PII_POSTCODE, "1234 ab"}, /* lower case with a space: too often a word */
    {LK_PII_POSTCODE, "1234 SS"}, /* never issued */
    {LK_PII_POSTCODE, "0123 AB"},
    {LK_PII_POSTCODE, "12345 AB"},
    {LK_PII_POSTCODE, "in 1980 en"},

    /* birth dates */
    {LK_PII_BIRTHDATE, "de datum 03-05-1980"}, /* a date, but not named a birth date */
    {LK_PII_BIRTHDATE, "geboren in Amsterdam"},
    {LK_PII_BIRTHDATE, "geboren op 32-13-1980"},
    {LK_PII_BIRTHDATE, "geboortedatum 1980"},
    {LK_PII_BIRTHDATE, "geboren op"},
    {LK_PII_BIRTHDATE, "reborn 3 mei 1980"},

    /* names */
    {LK_PII_NAME, "this is a test"},
    {LK_PII_NAME, "This is The Best"},
    {LK_PII_NAME, "mijn naam is niet belangrijk"},
    {LK_PII_NAME, "ik heet"},
    {LK_PII_NAME, "this is urgent"},
    {LK_PII_NAME, "Jan de Vries"}, /* a name without a trigger is not found */
    {LK_PII_NAME, "ik heet 123"},
};

Test(privacy, each_kind_is_found_exactly)
{
    for (size_t i = 0; i < COUNT(FOUND); i++)
        expect_one(FOUND[i].text, FOUND[i].kind, FOUND[i].want);
}

Test(privacy, near_misses_are_not_found)
{
    for (size_t i = 0; i < COUNT(MISSES); i++)
        expect_none(MISSES[i].text);
}

Test(privacy, several_in_order)
{
    const char *t = "Mijn IBAN: NL91ABNA0417164300, BSN: 123456782, e-mail: x@y.nl, bel 06-12345678";
    lk_pii_span_t sp[8];
    size_t n = lk_pii_detect(t, strlen(t), sp, 8);
    cr_assert_eq(n, 4);
    cr_assert_eq(sp[0].kind, LK_PII_IBAN);
    cr_assert_eq(sp[1].kind, LK_PII_BSN);
    cr_assert_eq(sp[2].kind, LK_PII_EMAIL);
    cr_assert_eq(sp[3].kind, LK_PII_PHONE);
    for (size_t k = 1; k < n; k++)
        cr_assert_geq(sp[k].start, sp[k - 1].start + sp[k - 1].len);
    /* max smaller than the count: the count is still the whole count */
    cr_assert_eq(lk_pii_detect(t, strlen(t), sp, 2), 4);
    cr_assert_eq(sp[1].kind, LK_PII_BSN);
    cr_assert_eq(lk_pii_detect(t, strlen(t), NULL, 0), 4);
}

Test(privacy, redact)
{
    expect_redacted("Mijn BSN is 123456782 en mijn mail jan@example.nl.", "Mijn BSN is [bsn] en mijn mail [e-mail].");
    expect_redacted("geboren op 3 mei 1980, ik heet Jan", "geboren op [geboortedatum], ik heet [naam]");
    expect_redacted("Kerkstraat 12, 1234 AB Amsterdam, kaart 4111 1111 1111 1111",
                    "[postcode] Amsterdam, kaart [kaartnummer]");
    expect_redacted("geen persoonsgegevens hier", "geen persoonsgegevens hier");
    expect_redacted("", "");
    char *r = lk_pii_redact(NULL, 0);
    cr_assert_str_eq(r, "");
    free(r);
    /* length-bounded: bytes past len are not read */
    r = lk_pii_redact("06-12345678 en meer", 11);
    cr_assert_str_eq(r, "[telefoon]");
    free(r);
}

/* More findings than the detector's internal buffers hold. */
Test(privacy, redact_many)
{
    lk_buf_t b;
    lk_buf_init(&b, 1 << 20);
    lk_buf_t w;
    lk_buf_init(&w, 1 << 20);
    for (int i = 0; i < 200; i++) {
        lk_buf_printf(&b, "mail u%d@example.nl of 06-1234%04d; ", i, i);
        lk_buf_printf(&w, "mail [e-mail] of [telefoon]; ");
    }
    lk_pii_span_t sp[1];
    cr_assert_eq(lk_pii_detect(b.data, b.len, sp, 1), 400);
    char *r = lk_pii_redact(b.data, b.len);
    cr_assert_str_eq(r, w.data);
    free(r);
    lk_buf_free(&b);
    lk_buf_free(&w);
}

Test(privacy, utf8_edges)
{
    expect_one("Café 0612345678", LK_PII_PHONE, "0612345678");
    expect_one("\xE2\x80\x9C"
               "0612345678"
               "\xE2\x80\x9D",
               LK_PII_PHONE, "0612345678");
    expect_none("é123456782"); /* glued to a letter */
    expect_none("123456782ü");
    /* invalid UTF-8 around a finding does not stop it, nor trip the scanner */
    expect_one("ab\xFF\xFE 0612345678 \xC3", LK_PII_PHONE, "0612345678");
    expect_none("\xC3");
    expect_none("\xF0\x9F\x98");
}

/* Random bytes and random mixes of the characters the scanners care about:
 * spans in bounds, in order, never overlapping; redaction consistent. */
Test(privacy, random_input_is_safe)
{
    static const char alphabet[] = "0123456789 -.+()@:/,ABNLabnl\xC3\xA9\xE2\x82\xAC"
                                   "geboren op mei my name is ";
    unsigned seed = 12345;
    char text[256];
    lk_pii_span_t sp[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = (seed >> 8) % sizeof text;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            text[i] = (round & 1) ? (char)(seed >> 16) : alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        size_t n = lk_pii_detect(text, len, sp, 64);
        size_t end = 0;
        for (size_t k = 0; k < n && k < 64; k++) {
            cr_assert_geq(sp[k].start, end);
            cr_assert_gt(sp[k].len, 0);
            end = sp[k].start + sp[k].len;
            cr_assert_leq(end, len);
        }
        char *r = lk_pii_redact(text, len);
        size_t want = len;
        for (size_t k = 0; k < n && k < 64; k++)
            want = want - sp[k].len + strlen(lk_pii_marker(sp[k].kind));
        if (n <= 64 && memchr(text, 0, len) == NULL)
            cr_assert_eq(strlen(r), want);
        free(r);
    }
}

/* Fast enough to run on every message: 1 MB of chat-like text well under a
 * second even in a sanitizer build. */
Test(privacy, speed)
{
    static const char *const lines[] = {
        "Hoi, ik wil graag mijn bestelling 2024-001234 retourneren, kan dat nog? ",
        "Mijn naam is Jan de Vries en mijn nummer is 06-12345678. ",
        "Het pakket is op 12-03 om 12:30 bezorgd maar kapot, 49,95 euro betaald. ",
        "Where is my order? I paid with card 4111 1111 1111 1111 yesterday. ",
    };
    lk_buf_t b;
    lk_buf_init(&b, 2 << 20);
    for (int i = 0; b.len < (1 << 20); i++)
        lk_buf_append_cstr(&b, lines[i % 4]);
    int64_t t0 = lk_time_mono_ns();
    size_t n = lk_pii_detect(b.data, b.len, NULL, 0);
    int64_t dt = lk_time_mono_ns() - t0;
    cr_assert_gt(n, 10000);
    cr_assert_lt(dt, 1000000000LL, "1 MB took %lld ms", (long long)(dt / 1000000));
    lk_buf_free(&b);
}
