# BOM, CRLF, escapes, weights
0.5 [w=0.25] \\\#\$\α β
-1e-3 [w=0.75] \[w=1] $x_1
