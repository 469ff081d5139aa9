/* "Did you mean ...?": the one known name close to a mistyped option or command. */
#include <ctype.h>
#include <string.h>
#include "cli.h"

#define MAX_NAME 64

static int same(char x, char y)
{
    return tolower((unsigned char) x) == tolower((unsigned char) y);
}

/* Optimal string alignment distance (Levenshtein with adjacent transpositions), ignoring
 * case: "--lamda", "--lambda-W" and "--quite" are one edit from "--lambda", "--lambda-w"
 * and "--quiet". Names longer than MAX_NAME are never close. */
static int distance(const char *a, size_t la, const char *b, size_t lb)
{
    int d[MAX_NAME + 1][MAX_NAME + 1];
    size_t i, j;
    if (la > MAX_NAME || lb > MAX_NAME)
        return MAX_NAME;
    for (i = 0; i <= la; i++)
        d[i][0] = (int) i;
    for (j = 0; j <= lb; j++)
        d[0][j] = (int) j;
    for (i = 1; i <= la; i++)
        for (j = 1; j <= lb; j++) {
            int cost = !same(a[i - 1], b[j - 1]);
            int best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

void dnc_cli_near_init(dnc_cli_near *n, const char *typed, size_t len)
{
    n->typed = typed;
    n->len = len;
    n->best = NULL;
    n->dist = MAX_NAME;
    n->ties = 0;
}

/* How far a candidate may be: one edit for short names, two up to 8 characters, three
 * beyond, and always fewer edits than the typed name has characters (so that "--x" is
 * not taken for "--K"). A typed name of 3 or more characters that starts the candidate
 * ("--grad" for "--grad-tol") counts as one edit away. */
void dnc_cli_near_add(dnc_cli_near *n, const char *candidate)
{
    size_t lc = strlen(candidate);
    int d = distance(n->typed, n->len, candidate, lc);
    int limit = lc <= 4 ? 1 : lc <= 8 ? 2 : 3;
    if (n->len >= 3 && n->len < lc && strncmp(candidate, n->typed, n->len) == 0 && d > 1)
        d = 1;
    if (d > limit || d >= (int) n->len)
        return;
    if (d < n->dist) {
        n->best = candidate;
        n->dist = d;
        n->ties = 0;
    } else if (d == n->dist && strcmp(candidate, n->best) != 0)
        n->ties++;
}

const char *dnc_cli_near_result(const dnc_cli_near *n)
{
    return n->ties == 0 ? n->best : NULL;
}

const char *dnc_cli_suggest_option(const dnc_cli_opt *opts, const char *typed, size_t len)
{
    dnc_cli_near n;
    dnc_cli_near_init(&n, typed, len);
    for (; opts->name != NULL; opts++)
        dnc_cli_near_add(&n, opts->name);
    dnc_cli_near_add(&n, "help");
    dnc_cli_near_add(&n, "version");
    return dnc_cli_near_result(&n);
}
