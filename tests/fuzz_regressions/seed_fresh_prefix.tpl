+1 t1 α
-1 t1 t2
0 tt1 tt1
