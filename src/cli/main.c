/* dncert: the command-line front end of libdncert. */
#include <stdio.h>
#include <string.h>
#include <flint/flint.h>
#include "cli.h"
#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "train", dnc_cmd_train, "train a deep unconstrained features model (double precision)" },
    { "metrics", dnc_cmd_metrics, "recompute loss and collapse metrics of a saved point" },
    { "classify", dnc_cmd_classify, "the solution class of a saved point (dnc, low-rank, ...)" },
    { "closed-form", dnc_cmd_closed_form, "certified closed-form optimum or competitor (dnc, srg, sts, ...)" },
    { "certify", dnc_cmd_certify, "certify the claims of theorem files, one certificate per instance" },
    { "certify-point", dnc_cmd_certify_point, "certified loss of a trained point, compared with the DNC value" },
    { "verify", dnc_cmd_verify, "re-check certificate files independently" },
    { "report", dnc_cmd_report, "tables of certified values (LaTeX, Markdown, CSV), checked first" },
    { "sweep", dnc_cmd_sweep, "many trainings over a grid, in parallel, resumable, shardable" },
    { "sweep-merge", dnc_cmd_sweep_merge, "join the results of sweep shards into one table" },
    { "sweep-plot", dnc_cmd_sweep_plot, "the paper's figures from a sweep (loss, rank, dnc)" },
    { "plot", dnc_cmd_plot, "training curves and class-mean spectra of a run (gnuplot)" },
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "Usage: dncert <command> [options]   (dncert <command> --help for details)\n\n"
               "dncert trains deep unconstrained features models and certifies their optima.\n\n"
               "Commands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n  --version      print the version\n");
}

int main(int argc, char **argv)
{
    size_t i;
    int r;
    dnc_cli_select_blas_kernel(argv);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? DNC_EXIT_USAGE : DNC_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("dncert %s\n", DNCERT_VERSION);
        dnc_cli_print_blas_kernel(stdout);
        return DNC_EXIT_OK;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0) {
            r = commands[i].run(argc - 1, argv + 1);
            flint_cleanup();
            return r;
        }
    fprintf(stderr, "dncert: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return DNC_EXIT_USAGE;
}
