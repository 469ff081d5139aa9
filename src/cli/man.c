/* The man page dncert.1, made from the commands' own --help texts (`dncert --help-man`,
 * run by the build), so that it cannot drift from them.
 *
 * A help text is read line by line: the first line "Usage: dncert CMD ..." becomes the
 * command's synopsis; lines at the left margin are running text (filled by troff; a line
 * "Exit status: ..." starts a paragraph); an indented block is a list whose items are the
 * lines at the block's first indentation, "TERM  description" (two spaces end the term;
 * a term starting with "--" is an option, its value placeholder in italics), and whose
 * deeper lines continue the item before. `quoted` text is set in bold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* Text with troff's specials escaped; backquoted spans in bold. The control characters
 * '.' and '\'' are made harmless where they would start a line. */
static void put_text(FILE *out, const char *s, size_t n, int line_start)
{
    size_t i, quotes = 0;
    int bold = 0;
    for (i = 0; i < n; i++)
        quotes += s[i] == '`';
    if (line_start && n > 0 && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", out);
    for (i = 0; i < n; i++)
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);   /* a minus sign, as typed in options, not a hyphen */
        else if (s[i] == '`' && quotes % 2 == 0) {
            fputs(bold ? "\\fR" : "\\fB", out);
            bold = !bold;
        } else
            fputc(s[i], out);
}

static size_t indent_of(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

/* ".TP" item: the term (an option in bold with its placeholder in italics, anything else
 * in bold) and the description after the first two spaces. The descriptions start where
 * the first item's does in the help text: *width is that column (0: not known yet). */
static void put_item(FILE *out, const char *s, size_t n, size_t *width)
{
    const char *gap = NULL, *sp;
    size_t i, term;
    for (i = 0; i + 1 < n && gap == NULL; i++)
        if (s[i] == ' ' && s[i + 1] == ' ')
            gap = s + i;
    term = gap != NULL ? (size_t) (gap - s) : n;
    if (*width == 0 && gap != NULL)
        *width = term + indent_of(gap, n - term);
    sp = s[0] == '-' ? memchr(s, ' ', term) : NULL;
    if (*width > 0)
        fprintf(out, ".TP %zun\n\\fB", *width);
    else
        fputs(".TP\n\\fB", out);
    put_text(out, s, sp != NULL ? (size_t) (sp - s) : term, 0);
    if (sp != NULL) {
        fputs("\\fR \\fI", out);
        put_text(out, sp + 1, term - (size_t) (sp + 1 - s), 0);
    }
    fputs("\\fR\n", out);
    if (gap != NULL) {
        gap += indent_of(gap, n - term);
        put_text(out, gap, n - (size_t) (gap - s), 1);
        fputc('\n', out);
    }
}

/* The synopsis: "dncert CMD" in bold, the rest as it is. */
static void put_usage(FILE *out, const char *s, size_t n, const char *cmd)
{
    size_t head = strlen("dncert ") + strlen(cmd);
    if (n >= 7 && strncmp(s, "Usage: ", 7) == 0) {
        s += 7;
        n -= 7;
    }
    if (n < head)
        head = n;
    fputs(".PP\n\\fB", out);
    put_text(out, s, head, 0);
    fputs("\\fR", out);
    put_text(out, s + head, n - head, 0);
    fputs("\n", out);
}

static void put_help(FILE *out, const char *text, const char *cmd)
{
    enum { NONE, PARA, LIST } state = NONE;
    size_t list_indent = 0, width = 0;
    const char *s = text, *nl;
    int first = 1;
    for (; *s != '\0'; s = nl + (*nl != '\0')) {
        size_t n, ind;
        nl = strchr(s, '\n');
        if (nl == NULL)
            nl = s + strlen(s);
        n = (size_t) (nl - s);
        ind = indent_of(s, n);
        if (state == LIST && (ind == 0 || ind == n))
            fputs(".PD\n", out);   /* the end of a list: paragraphs spaced again */
        if (first) {
            put_usage(out, s, n, cmd);
            first = 0;
        } else if (ind == n) {
            state = NONE;
        } else if (ind == 0) {
            if (state != PARA || strncmp(s, "Exit status:", 12) == 0)
                fputs(".PP\n", out);
            state = PARA;
            put_text(out, s, n, 1);
            fputc('\n', out);
        } else if (state != LIST || ind <= list_indent) {
            if (state != LIST) {
                list_indent = ind;
                width = 0;
                fputs(".PD 0\n", out);   /* list items without space between them */
            }
            state = LIST;
            put_item(out, s + ind, n - ind, &width);
        } else {
            put_text(out, s + ind, n - ind, 1);
            fputc('\n', out);
        }
    }
    if (state == LIST)
        fputs(".PD\n", out);
}

/* What `dncert CMD --help` prints (NULL when it cannot be captured; free() it). The
 * command writes to stdout, whose descriptor points at a temporary file meanwhile. */
static char *help_text(const dnc_cli_command *c)
{
    char name[64], flag[] = "--help", *argv[3] = { name, flag, NULL }, *text = NULL;
    FILE *tmp = tmpfile();
    int saved = -1, r = -1;
    off_t size;
    snprintf(name, sizeof(name), "%s", c->name);
    fflush(stdout);
    if (tmp != NULL && (saved = dup(STDOUT_FILENO)) >= 0 && dup2(fileno(tmp), STDOUT_FILENO) >= 0) {
        r = c->run(2, argv);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
    }
    if (saved >= 0)
        close(saved);
    if (r == 0 && (size = lseek(fileno(tmp), 0, SEEK_END)) > 0 && (text = malloc((size_t) size + 1)) != NULL) {
        rewind(tmp);
        text[fread(text, 1, (size_t) size, tmp)] = '\0';
    }
    if (tmp != NULL)
        fclose(tmp);
    return text;
}

static const char *const man_description =
    ".PP\nEvery command prints its options and their defaults with \\fB\\-\\-help\\fR (the same as\n"
    "\\fBdncert help\\fR \\fIcommand\\fR) and the version with \\fB\\-\\-version\\fR. Options are\n"
    "\\fB\\-\\-name\\fR \\fIvalue\\fR or \\fB\\-\\-name\\fR=\\fIvalue\\fR; an unknown option or command\n"
    "is reported with the closest known name when one is close.\n";

static const char *const man_end =
    ".SH EXIT STATUS\n"
    "The same for every command: 0 success; 1 the work failed (a divergence, an I/O error, a\n"
    "claim that was not certified); 2 bad input: a bad command line, or an input file or\n"
    "directory that is missing, unreadable or malformed (nothing is written then). Each\n"
    "command's section above says what they mean for it.\n"
    ".SH ENVIRONMENT\n"
    ".TP\n\\fBOPENBLAS_CORETYPE\\fR\n"
    "OpenBLAS's kernel. When it is not set and OpenBLAS chose a kernel older than the CPU,\n"
    "dncert runs itself again with the best kernel for the CPU (\\fBdncert \\-\\-version\\fR\n"
    "shows the kernel in use).\n"
    ".TP\n\\fBDNCERT_KEEP_BLAS_KERNEL\\fR\n"
    "1: keep OpenBLAS's own choice of kernel.\n"
    ".TP\n\\fBDNCERT_GNUPLOT\\fR\n"
    "the gnuplot program of \\fBplot\\fR and \\fBsweep\\-plot\\fR.\n"
    ".SH SEE ALSO\n"
    "\\fBdncert\\-verify\\fR, the independent certificate checker, is \\fBdncert verify\\fR as a\n"
    "program of its own. README.md and docs/ in dncert's source tree describe the model, the\n"
    "trainer, the formats and the certificates.\n";

int dnc_cli_man(FILE *out, const dnc_cli_command *cmds, size_t n, const char *about)
{
    size_t i;
    char *text;
    fprintf(out, ".\\\" dncert.1, made by `dncert --help-man` from the commands' --help texts: do not edit.\n"
                 ".TH DNCERT 1 \"\" \"dncert %s\" \"User Commands\"\n.nh\n.ad l\n.SH NAME\ndncert \\- ", DNCERT_VERSION);
    put_text(out, about, strlen(about), 0);
    fputs("\n.SH SYNOPSIS\n\\fBdncert\\fR \\fIcommand\\fR [\\fIoptions\\fR]\n.br\n"
          "\\fBdncert help\\fR [\\fIcommand\\fR]\n.br\n\\fBdncert \\-\\-version\\fR\n"
          ".SH DESCRIPTION\n\\fBdncert\\fR ", out);
    put_text(out, about, strlen(about), 0);
    fputs(". Its commands:\n.PD 0\n", out);
    for (i = 0; i < n; i++) {
        fputs(".TP 15n\n\\fB", out);
        put_text(out, cmds[i].name, strlen(cmds[i].name), 0);
        fputs("\\fR\n", out);
        put_text(out, cmds[i].summary, strlen(cmds[i].summary), 1);
        fputc('\n', out);
    }
    fputs(".PD\n", out);
    fputs(man_description, out);
    fputs(".SH COMMANDS\n", out);
    for (i = 0; i < n; i++) {
        if ((text = help_text(cmds + i)) == NULL) {
            fprintf(stderr, "dncert --help-man: cannot capture the help of '%s'\n", cmds[i].name);
            return -1;
        }
        fputs(".SS \"dncert ", out);
        put_text(out, cmds[i].name, strlen(cmds[i].name), 0);
        fputs("\"\n", out);
        put_help(out, text, cmds[i].name);
        free(text);
    }
    fputs(man_end, out);
    return ferror(out) ? -1 : 0;
}
