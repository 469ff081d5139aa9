/* dncert sweep-merge: the table of a whole sweep from the directories of its shards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dncert/io.h"
#include "dncert/sweep.h"
#include "cli.h"
#include "commands.h"

static const char *usage_head =
    "Usage: dncert sweep-merge SHARD_DIR... --out DIR\n"
    "\n"
    "Joins the outputs of the shards of one sweep (`dncert sweep --shard I/N --out SHARD_DIR`,\n"
    "every I from 1 to N) into DIR: results.csv and results.jsonl with the rows of every\n"
    "shard in the canonical order of the grid, references.csv/.jsonl, and sweep.json -- the\n"
    "same files a single unsharded sweep writes (run directories stay in the shards).\n"
    "Only SHARD_DIR/sweep.json and SHARD_DIR/results.jsonl are read, so shards computed\n"
    "elsewhere need only these two files copied back.\n";

static const char *usage_tail =
    "Exit status: 0 merged; 1 I/O error; 2 bad input: a missing or duplicate shard, shards of\n"
    "different sweeps, an unfinished shard (nothing written).\n";

typedef struct {
    const char *dir;
    dnc_sweep_spec spec;
    dnc_sweep_row *rows;
    slong nrows;
} shard;

static int load_shard(shard *sh, const char *dir)
{
    char err[4600];
    dnc_sweep_file f;
    memset(sh, 0, sizeof(*sh));
    sh->dir = dir;
    if (dnc_sweep_file_read(&f, dir, err, sizeof(err)) != 0)
        return dnc_cli_usage_error("sweep-merge", "%s", err);
    sh->spec = f.spec;              /* the spec is the shard's now */
    memset(&f.spec, 0, sizeof(f.spec));
    dnc_sweep_file_clear(&f);
    if (dnc_sweep_table_read(&sh->rows, &sh->nrows, dir, err, sizeof(err)) != 0)
        return dnc_cli_usage_error("sweep-merge", "%s: %s", dir, err);
    return 0;
}

/* The shards must be one sweep, each shard exactly once; *order[k] is the shard I = k+1. */
static int check_shards(shard **order, shard *sh, int n)
{
    slong N = sh[0].spec.nshards, k;
    const char *diff;
    int i;
    for (i = 0; i < n; i++) {
        if ((diff = dnc_sweep_spec_diff(&sh[0].spec, &sh[i].spec, 1)) != NULL)
            return dnc_cli_usage_error("sweep-merge", "%s and %s are different sweeps (--%s differs)", sh[0].dir,
                                       sh[i].dir, diff);
        if (sh[i].spec.nshards != N)
            return dnc_cli_usage_error("sweep-merge", "%s is shard %ld/%ld but %s is a shard of %ld",
                                       sh[i].dir, (long) sh[i].spec.shard, (long) sh[i].spec.nshards, sh[0].dir, (long) N);
        k = sh[i].spec.shard - 1;
        if (order[k] != NULL)
            return dnc_cli_usage_error("sweep-merge", "shard %ld/%ld given twice (%s and %s)", (long) k + 1, (long) N,
                                       order[k]->dir, sh[i].dir);
        order[k] = sh + i;
    }
    for (k = 0; k < N; k++)
        if (order[k] == NULL)
            return dnc_cli_usage_error("sweep-merge", "shard %ld/%ld is missing: give the directory of every shard",
                                       (long) k + 1, (long) N);
    return 0;
}

/* Run i of the grid is row i / N of shard i mod N; every id must be where it belongs. */
static int interleave(dnc_sweep_row *all, shard **order, const dnc_sweep_spec *s)
{
    dnc_sweep_run *runs;
    slong n = dnc_sweep_runs(&runs, s, 0), N = s->nshards, i;
    int r = 0;
    for (i = 0; i < n && r == 0; i++) {
        const shard *sh = order[i % N];
        slong j = i / N;
        if (j >= sh->nrows || strcmp(sh->rows[j].id, runs[i].id) != 0)
            r = dnc_cli_usage_error("sweep-merge", "%s/results.jsonl: row %ld should be run %s (an unfinished or "
                                    "modified shard?)", sh->dir, (long) j + 1, runs[i].id);
        else
            all[i] = sh->rows[j];
    }
    for (i = 0; i < N && r == 0; i++)
        if (order[i]->nrows != (n - i + N - 1) / N)
            r = dnc_cli_usage_error("sweep-merge", "%s/results.jsonl: %ld rows, expected %ld", order[i]->dir,
                                    (long) order[i]->nrows, (long) ((n - i + N - 1) / N));
    flint_free(runs);
    return r;
}

/* Writes DIR completely in a temporary directory, then renames it into place. */
static int write_merged(const char *dir, int force, const dnc_sweep_spec *s, const dnc_sweep_row *rows, slong n,
                        const char *const *from, int nfrom)
{
    char tmp[4200], err[512];
    int r;
    r = dnc_rundir_begin(tmp, sizeof(tmp), dir, err, sizeof(err));
    if (r == 0) {
        r = dnc_sweep_file_write(tmp, s, from, nfrom, err, sizeof(err)) == 0
            && dnc_sweep_write_outputs(tmp, s, rows, n, err, sizeof(err)) == 0
            && dnc_rundir_commit(tmp, dir, force, err, sizeof(err)) == 0 ? 0 : -1;
        if (r != 0)
            dnc_remove_tree(tmp);
    }
    if (r != 0)
        fprintf(stderr, "dncert sweep-merge: writing %s failed: %s\n", dir, err);
    return r;
}

static int merge(const char *out, int force, const char *const *dirs, int n)
{
    shard *sh = flint_calloc(n, sizeof(shard)), **order = NULL;
    dnc_sweep_row *all = NULL;
    dnc_sweep_spec *s = &sh[0].spec;
    slong total = 0;
    int i, r = 0;
    for (i = 0; i < n && r == 0; i++)
        r = load_shard(sh + i, dirs[i]);
    if (r == 0) {
        order = flint_calloc(s->nshards, sizeof(shard *));
        r = check_shards(order, sh, n);
    }
    if (r == 0) {
        total = dnc_sweep_count(s);
        all = flint_malloc(total * sizeof(dnc_sweep_row));
        r = interleave(all, order, s);
    }
    if (r == 0) {
        s->shard = s->nshards = 1;       /* the merged table is the whole, unsharded sweep */
        r = write_merged(out, force, s, all, total, dirs, n) == 0 ? DNC_EXIT_OK : DNC_EXIT_FAIL;
    }
    if (r == 0)
        printf("merged %d shard%s: %ld rows in %s/results.csv, %s/results.jsonl; references in %s/references.csv\n",
               n, n > 1 ? "s" : "", (long) total, out, out, out);
    for (i = 0; i < n; i++) {
        dnc_sweep_spec_clear(&sh[i].spec);
        flint_free(sh[i].rows);
    }
    flint_free(sh);
    flint_free(order);
    flint_free(all);
    return r;
}

int dnc_cmd_sweep_merge(int argc, char **argv)
{
    dnc_cli_opt opts[] = {
        { "out", "DIR", "directory of the merged table (required; must not exist unless --force)", NULL },
        { "force", NULL, "replace DIR if it exists", NULL },
        { NULL, NULL, NULL, NULL }
    };
    const char *pos[1024], *out;
    int npos, r;
    r = dnc_cli_parse(opts, argc, argv, pos, 1024, &npos, usage_head, usage_tail);
    if (r != 0)
        return r == 1 ? DNC_EXIT_OK : r;
    if (npos == 0)
        return dnc_cli_usage_error("sweep-merge", "expected at least one SHARD_DIR");
    if ((out = dnc_cli_get(opts, "out")) == NULL || *out == '\0')
        return dnc_cli_usage_error("sweep-merge", "--out DIR is required");
    if ((r = dnc_cli_check_new_path(opts, "sweep-merge", "out")) != 0)
        return r;
    return merge(out, dnc_cli_get(opts, "force") != NULL, pos, npos);
}
