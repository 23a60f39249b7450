/* cap_tool.c: standalone `edgecase-pcap FILE ...`, the pcap subcommand without the rest of the harness. */
#include "harness/cap.h"

int main(int argc, char **argv)
{
    return cap_main(argc, argv);
}
