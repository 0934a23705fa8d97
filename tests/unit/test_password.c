/*
 * The check of new passwords (src/password/): the embedded list, the length
 * rules, common passwords and their variants, passwords built on the user's
 * e-mail address, name or the product name, and long passphrases.
 */
#include "password/password.h"

#include <criterion/criterion.h>
#include <string.h>

static lk_password_verdict_t check(const char *pw, const char *email, const char *name)
{
    const char *const context[] = {email, name};
    return lk_password_check(pw, context, 2);
}

Test(password, list_is_embedded)
{
    /* John the Ripper's password.lst has about 3,500 entries */
    cr_assert_gt(lk_password_list_size(), 3000);
    cr_assert_lt(lk_password_list_size(), 10000);
}

Test(password, length)
{
    cr_assert_eq(check("kort", NULL, NULL), LK_PW_TOO_SHORT);
    cr_assert_eq(check("", NULL, NULL), LK_PW_TOO_SHORT);
    /* characters, not bytes: 7 accented letters are 14 bytes but too short */
    cr_assert_eq(check("\xc3\xa9\xc3\xa0\xc3\xbc\xc3\xb6\xc3\xaf\xc3\xa7\xc3\xb1", NULL, NULL), LK_PW_TOO_SHORT);
    char longest[LK_PASSWORD_MAX + 2];
    for (size_t i = 0; i < sizeof longest - 1; i++)
        longest[i] = "correct horse battery staple "[i % 29];
    longest[LK_PASSWORD_MAX + 1] = '\0';
    cr_assert_eq(check(longest, NULL, NULL), LK_PW_TOO_LONG);
    longest[LK_PASSWORD_MAX] = '\0';
    cr_assert_eq(check(longest, NULL, NULL), LK_PW_OK, "a passphrase of 1024 bytes is fine");
}

Test(password, common)
{
    cr_assert_eq(check("12345678", NULL, NULL), LK_PW_COMMON);
    cr_assert_eq(check("password", NULL, NULL), LK_PW_COMMON);
    cr_assert_eq(check("PassWord", NULL, NULL), LK_PW_COMMON, "case does not matter");
    cr_assert_eq(check("iloveyou", NULL, NULL), LK_PW_COMMON);
    cr_assert_eq(check("password123", NULL, NULL), LK_PW_COMMON_VARIANT);
    cr_assert_eq(check("Password2024!", NULL, NULL), LK_PW_COMMON_VARIANT);
    cr_assert_eq(check("!!sunshine99", NULL, NULL), LK_PW_COMMON_VARIANT);
    cr_assert_eq(check("aaaaaaaaaaaa", NULL, NULL), LK_PW_REPETITIVE);
    cr_assert_eq(check("abababababab", NULL, NULL), LK_PW_REPETITIVE);
}

Test(password, personal)
{
    const char *email = "anna.de-vries@tulpentafel.example", *name = "Anna de Vries";
    cr_assert_eq(check("anna.de-vries@tulpentafel.example", email, name), LK_PW_PERSONAL);
    cr_assert_eq(check("Anna.de-Vries1", email, name), LK_PW_PERSONAL);
    cr_assert_eq(check("annavries2026", email, name), LK_PW_PERSONAL);
    cr_assert_eq(check("tulpentafel!1", email, name), LK_PW_PERSONAL);
    cr_assert_eq(check("loket2026", email, name), LK_PW_PERSONAL);
    cr_assert_eq(check("LoketLoket", NULL, NULL), LK_PW_PERSONAL, "the product name counts without context");
    cr_assert_eq(check("annapassword", email, name), LK_PW_PERSONAL, "name plus a common word");
    /* without that context, the same text is the user's own choice */
    cr_assert_eq(check("annavries2026", "bob@example.org", "Bob"), LK_PW_OK);
}

Test(password, passphrases_accepted)
{
    const char *email = "anna.de-vries@tulpentafel.example", *name = "Anna de Vries";
    cr_assert_eq(check("anna-heeft-een-lang-wachtwoord", email, name), LK_PW_OK,
                 "a passphrase that mentions the name is fine");
    cr_assert_eq(check("ada beheert de loket server", email, name), LK_PW_OK);
    cr_assert_eq(check("correct horse battery staple", NULL, NULL), LK_PW_OK);
    cr_assert_eq(check("Zeven kleine geitjes in de wei \xe2\x9c\x93", NULL, NULL), LK_PW_OK);
    cr_assert_eq(check("k3x!9qPz", NULL, NULL), LK_PW_OK);
}

Test(password, reasons)
{
    cr_assert_str_empty(lk_password_reason(LK_PW_OK));
    for (int v = LK_PW_TOO_SHORT; v <= LK_PW_REPETITIVE; v++)
        cr_assert_gt(strlen(lk_password_reason((lk_password_verdict_t)v)), 10);
}
