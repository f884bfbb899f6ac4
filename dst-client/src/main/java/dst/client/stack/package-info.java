/**
 * Assembling the client: {@link dst.client.stack.DiskStack} stacks read-ahead and the write-back cache on a
 * {@link dst.client.net.RemoteDisk}, the same way for every command. Threading and buffer ownership are those of
 * {@link dst.client.core.BlockDevice}: the stack is one, and whoever opened it closes it.
 */
package dst.client.stack;
