# Helpers the bench scripts share; source after setting `root`.

# The median of the numbers on stdin, one per line (the mean of the middle two for an even count; 0 for none).
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# A TCP port on 127.0.0.1 nobody holds right now (the kernel's choice).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
