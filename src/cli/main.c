/* dncert: the command-line front end of libdncert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <flint/flint.h>
#include "cli.h"
#include "commands.h"

static const dnc_cli_command commands[] = {
    { "train", dnc_cmd_train, "train a deep unconstrained features model (double precision)" },
    { "metrics", dnc_cmd_metrics, "recompute loss and collapse metrics of a saved point" },
    { "classify", dnc_cmd_classify, "the solution class of a saved point (dnc, low-rank, ...)" },
    { "closed-form", dnc_cmd_closed_form, "certified closed-form optimum or competitor (dnc, srg, sts, ...)" },
    { "certify", dnc_cmd_certify, "certify the claims of theorem files, one certificate per instance" },
    { "certify-point", dnc_cmd_certify_point, "certified loss of a trained point, compared with the DNC value" },
    { "refine", dnc_cmd_refine, "move a trained point onto the critical point of its kink pattern" },
    { "verify", dnc_cmd_verify, "re-check certificate files independently" },
    { "report", dnc_cmd_report, "tables of certified values (LaTeX, Markdown, CSV), checked first" },
    { "sweep", dnc_cmd_sweep, "many trainings over a grid, in parallel, resumable, shardable" },
    { "sweep-merge", dnc_cmd_sweep_merge, "join the results of sweep shards into one table" },
    { "sweep-plot", dnc_cmd_sweep_plot, "the paper's figures from a sweep (loss, rank, dnc)" },
    { "plot", dnc_cmd_plot, "training curves and class-mean spectra of a run (gnuplot)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *const about = "trains deep unconstrained features models and certifies their optima";

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: dncert <command> [options]   (dncert help <command> for its options)\n\n"
               "dncert %s.\n\nCommands:\n", about);
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-14s %s\n", "help [CMD]", "this list, or the options of command CMD (= dncert CMD --help)");
    fprintf(f, "\n  --version      print the version (every command takes --version too)\n");
}

static const dnc_cli_command *find_command(const char *name)
{
    size_t i;
    for (i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands + i;
    return NULL;
}

/* "unknown command 'trian'; did you mean 'train'?", or the list of commands. */
static int unknown_command(const char *name)
{
    dnc_cli_near n;
    const char *near;
    size_t i;
    dnc_cli_near_init(&n, name, strlen(name));
    for (i = 0; i < NCOMMANDS; i++)
        dnc_cli_near_add(&n, commands[i].name);
    dnc_cli_near_add(&n, "help");
    dnc_cli_near_add(&n, "--help");
    dnc_cli_near_add(&n, "--version");
    if ((near = dnc_cli_near_result(&n)) != NULL) {
        fprintf(stderr, "dncert: unknown command '%s'; did you mean '%s'?\n(see 'dncert help')\n", name, near);
        return DNC_EXIT_USAGE;
    }
    fprintf(stderr, "dncert: unknown command '%s'\n\n", name);
    usage(stderr);
    return DNC_EXIT_USAGE;
}

/* dncert help [CMD]: the list of commands, or CMD's own --help. */
static int help(int argc, char **argv)
{
    const dnc_cli_command *c;
    char name[64], flag[] = "--help", *args[3] = { name, flag, NULL };
    if (argc > 2) {
        fprintf(stderr, "dncert help: expected at most one command (got '%s' too)\n(see 'dncert help')\n", argv[2]);
        return DNC_EXIT_USAGE;
    }
    if (argc == 1 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return DNC_EXIT_OK;
    }
    if (argv[1][0] == '-') {
        fprintf(stderr, "dncert help: expected a command, not '%s'\n(see 'dncert help')\n", argv[1]);
        return DNC_EXIT_USAGE;
    }
    if ((c = find_command(argv[1])) == NULL)
        return unknown_command(argv[1]);
    snprintf(name, sizeof(name), "%s", c->name);
    return c->run(2, args);
}

/* dncert --help-man [FILE]: the man page, from the help texts (man.c); the build runs it. */
static int help_man(int argc, char **argv)
{
    FILE *f = argc > 2 ? fopen(argv[2], "w") : stdout;
    int r;
    if (f == NULL) {
        perror(argv[2]);
        return DNC_EXIT_FAIL;
    }
    r = dnc_cli_man(f, commands, NCOMMANDS, about);
    if (f != stdout && fclose(f) != 0)
        r = -1;
    return r == 0 ? DNC_EXIT_OK : DNC_EXIT_FAIL;
}

/* DNCERT_CRITICAL_METHOD keeps one path of the critical-point checks (docs/refine.md §7.9);
 * a misspelt value would silently run both, so it is refused before any command runs. */
static int critical_method_ok(void)
{
    const char *e = getenv("DNCERT_CRITICAL_METHOD");
    if (e == NULL || strcmp(e, "double") == 0 || strcmp(e, "ball") == 0)
        return 1;
    fprintf(stderr, "dncert: environment variable DNCERT_CRITICAL_METHOD='%s': expected 'double' or 'ball' "
                    "(unset: the double path first, then balls)\n", e);
    return 0;
}

int main(int argc, char **argv)
{
    const dnc_cli_command *c;
    int r;
    dnc_cli_select_blas_kernel(argv);
    if (!critical_method_ok())
        return DNC_EXIT_USAGE;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? DNC_EXIT_USAGE : DNC_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        dnc_cli_print_version(stdout);
        return DNC_EXIT_OK;
    }
    if (strcmp(argv[1], "--help-man") == 0)
        r = help_man(argc, argv);
    else if (strcmp(argv[1], "help") == 0)
        r = help(argc - 1, argv + 1);
    else if ((c = find_command(argv[1])) != NULL)
        r = c->run(argc - 1, argv + 1);
    else
        return unknown_command(argv[1]);
    flint_cleanup();
    return r;
}
