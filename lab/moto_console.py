# moto's server, with one part swapped: the instance's serial console. moto answers EC2's
# GetConsoleOutput for real (the query protocol, IAM enforcement, the instance lookup, the base64),
# but always with the same canned boot log; no server here can play an instance's first boot. This
# serves instead the text of the file ROLEPAIR_CONSOLE_FILE, read at each call (empty while it does
# not exist), so a test can write the host keys into it part-way, as cloud-init does at boot's end.
import os
import sys

import moto.ec2.responses.general as general
from moto.server import main

canned = general.General.get_console_output


def get_console_output(self):
    try:
        with open(os.environ["ROLEPAIR_CONSOLE_FILE"], encoding="utf-8") as console:
            general.SAMPLE_CONSOLE_OUTPUT = console.read()
    except FileNotFoundError:
        general.SAMPLE_CONSOLE_OUTPUT = ""
    return canned(self)


general.General.get_console_output = get_console_output

if __name__ == "__main__":
    sys.exit(main())
