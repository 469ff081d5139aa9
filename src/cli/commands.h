/* The dncert subcommands: one source file each (cmd_NAME.c). */
#ifndef DNCERT_COMMANDS_H
#define DNCERT_COMMANDS_H

int dnc_cmd_train(int argc, char **argv);
int dnc_cmd_metrics(int argc, char **argv);
int dnc_cmd_closed_form(int argc, char **argv);
int dnc_cmd_certify(int argc, char **argv);
int dnc_cmd_verify(int argc, char **argv);
int dnc_cmd_classify(int argc, char **argv);
int dnc_cmd_certify_point(int argc, char **argv);
int dnc_cmd_sweep(int argc, char **argv);
int dnc_cmd_sweep_merge(int argc, char **argv);
int dnc_cmd_sweep_plot(int argc, char **argv);
int dnc_cmd_plot(int argc, char **argv);
int dnc_cmd_report(int argc, char **argv);
int dnc_cmd_refine(int argc, char **argv);

#endif
