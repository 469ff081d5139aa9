/* Progress lines of a long command (train): when to print one, and its step count,
 * percentage, rate, elapsed time and estimated time to the end of the step budget. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "cli.h"

int dnc_cli_progress_init(dnc_cli_progress *p, const dnc_cli_opt *opts, const char *cmd, const char *name,
                          const char *dflt, slong total)
{
    const char *s = dnc_cli_get(opts, name);
    size_t len;
    memset(p, 0, sizeof(*p));
    p->total = total;
    p->t0 = p->last_time = dnc_seconds_now();
    if (s == NULL)
        s = dflt;
    len = strlen(s);
    if (len > 1 && s[len - 1] == 's') {   /* seconds: "2s", "0.5s" */
        char *end;
        errno = 0;
        p->every_seconds = strtod(s, &end);
        if (errno == 0 && end == s + len - 1 && p->every_seconds >= 1e-3 && p->every_seconds <= 1e6)
            return 0;
    } else if (dnc_parse_slong(&p->every_steps, s, 1, WORD(1) << 50) == 0)
        return 0;
    return dnc_cli_usage_error(cmd, "--%s: must be a number of steps in [1, 2^50] or of seconds in "
                               "[0.001, 1e6] followed by 's', e.g. 1000 or 2s (got '%s')", name, s);
}

int dnc_cli_progress_due(dnc_cli_progress *p, slong step, double *now)
{
    if (p->every_steps > 0) {
        if (step % p->every_steps != 0)
            return 0;
        *now = dnc_seconds_now();
        return 1;
    }
    *now = dnc_seconds_now();
    return *now - p->last_time >= p->every_seconds;
}

/* "m:ss", or "h:mm:ss" from an hour on; "?" when unknown. */
static void duration(char *buf, size_t len, double s)
{
    long t;
    if (!(s >= 0 && s < 1e9)) {
        snprintf(buf, len, "?");
        return;
    }
    t = (long) (s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void dnc_cli_progress_print(dnc_cli_progress *p, FILE *f, slong step, double now, const char *fields, int final)
{
    char total[32], elapsed[32], eta[48];
    double since = now - p->last_time, run = now - p->t0;
    int width = snprintf(total, sizeof(total), "%ld", (long) p->total);
    duration(elapsed, sizeof(elapsed), run);
    if (final)
        snprintf(eta, sizeof(eta), "done");
    else {
        char left[32];
        duration(left, sizeof(left), step > 0 && run > 0 ? (double) (p->total - step) * run / step : NAN);
        snprintf(eta, sizeof(eta), "ETA %s", left);
    }
    fprintf(f, "step %*ld/%s %5.1f%%  %s  %8.0f steps/s  elapsed %s  %s\n", width, (long) step, total,
            p->total > 0 ? 100.0 * step / p->total : 100.0, fields,
            since > 0 ? (step - p->last_step) / since : 0.0, elapsed, eta);
    p->last_step = step;
    p->last_time = now;
}
